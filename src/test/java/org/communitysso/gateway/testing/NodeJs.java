package org.communitysso.gateway.testing;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

/** Finds Debian's Node.js for the tests that run the Node samples (scripts/test installs it). */
public final class NodeJs {

    private NodeJs() {
    }

    /** The node executable on PATH (or /usr/bin/node); {@code what} names the sample, for the failure message. */
    public static String binary(String what) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, "node");
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        if (Files.isExecutable(Path.of("/usr/bin/node"))) {
            return "/usr/bin/node";
        }
        throw new AssertionError("node (Node.js 18 or later) is needed to run " + what
                + "; scripts/test installs Debian's nodejs package");
    }
}
