package io.tiercache.tck;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Run in the verify phase: a TCK run only counts if every test really executed. Excluded TCK tests are reported as
 * passed, so a green surefire summary alone can hide a shrinking run. For each {@code reportsDir=tests:exclusions}
 * argument this checks the surefire XML totals (exactly {@code tests} run, no failures, errors or skips) and that
 * the run logged exactly {@code exclusions} "EXCLUDING TEST" lines; it also checks that the ExcludeList resource
 * names nothing but {@code org.jsr107.tck.CachingTest#dummyTest}. Any mismatch fails the build.
 */
public final class TckReportCheck {
    private static final String SENTINEL = "org.jsr107.tck.CachingTest#dummyTest";
    private static final Pattern ATTRIBUTE = Pattern.compile("\\b(tests|errors|skipped|failures)=\"(\\d+)\"");

    private TckReportCheck() {
    }

    public static void main(String[] args) throws IOException {
        List<String> problems = new ArrayList<>();
        checkExcludeList(problems);
        for (String arg : args) {
            int eq = arg.lastIndexOf('=');
            Path dir = Path.of(arg.substring(0, eq));
            String[] expected = arg.substring(eq + 1).split(":");
            check(dir, Integer.parseInt(expected[0]), Integer.parseInt(expected[1]), problems);
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("TCK check failed:\n  " + String.join("\n  ", problems));
        }
    }

    private static void checkExcludeList(List<String> problems) throws IOException {
        try (InputStream in = TckReportCheck.class.getClassLoader().getResourceAsStream("ExcludeList")) {
            if (in == null) {
                problems.add("no ExcludeList resource on the test class path");
                return;
            }
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\\R")) {
                String entry = line.trim();
                if (!entry.isEmpty() && !entry.startsWith("#") && !entry.equals(SENTINEL)) {
                    problems.add("ExcludeList excludes '" + entry + "'; only " + SENTINEL + " may be listed");
                }
            }
        }
    }

    private static void check(Path dir, int expectedTests, int expectedExclusions, List<String> problems)
            throws IOException {
        if (!Files.isDirectory(dir)) {
            problems.add(dir + ": no surefire reports (did the run happen?)");
            return;
        }
        long tests = 0;
        long errors = 0;
        long skipped = 0;
        long failures = 0;
        long exclusions = 0;
        List<Path> files;
        try (Stream<Path> list = Files.list(dir)) {
            files = list.sorted().toList();
        }
        for (Path file : files) {
            String name = file.getFileName().toString();
            if (name.startsWith("TEST-") && name.endsWith(".xml")) {
                String xml = Files.readString(file, StandardCharsets.UTF_8);
                int start = xml.indexOf("<testsuite");
                String header = xml.substring(start, xml.indexOf('>', start));
                Matcher m = ATTRIBUTE.matcher(header);
                while (m.find()) {
                    long value = Long.parseLong(m.group(2));
                    switch (m.group(1)) {
                        case "tests" -> tests += value;
                        case "errors" -> errors += value;
                        case "skipped" -> skipped += value;
                        default -> failures += value;
                    }
                }
            } else if (name.endsWith("-output.txt")) {
                exclusions += Files.readAllLines(file, StandardCharsets.UTF_8).stream()
                        .filter(line -> line.contains("EXCLUDING TEST")).count();
            }
        }
        String summary = String.format("%s: %d run, %d failures, %d errors, %d skipped, %d excluded", dir, tests,
                failures, errors, skipped, exclusions);
        System.out.println("[tck-check] " + summary);
        if (tests != expectedTests || failures != 0 || errors != 0 || skipped != 0
                || exclusions != expectedExclusions) {
            problems.add(summary + " (expected " + expectedTests + " run, 0 failures/errors/skipped, "
                    + expectedExclusions + " excluded)");
        }
    }
}
