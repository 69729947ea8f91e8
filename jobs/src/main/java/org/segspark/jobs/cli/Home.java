package org.segspark.jobs.cli;

import java.io.File;

/** The segspark checkout or installation folder (set by the launcher), for files like bench/torch_ref.py. */
final class Home {
    private Home() {
    }

    static File dir() {
        String home = System.getenv("SEGSPARK_HOME");
        return new File(home != null ? home : ".").getAbsoluteFile();
    }
}
