package io.github.dl4jadamw.examples;

import io.github.dl4jadamw.examples.report.ResultsStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** --report-only chooses the best setting on the seeds the results' grid ran with, not on today's --seeds. */
class SavedGridSeedsTest {
    @TempDir
    Path tmp;

    private Set<Long> saved(String dir, Object gridSeeds, List<String> args) {
        ResultsStore st = new ResultsStore(tmp.resolve(dir));
        if (gridSeeds != null) st.meta("gridSeeds", gridSeeds);
        if (args != null) st.meta("args", args);
        st.save();
        return CompareOptimizers.savedGridSeeds(ResultsStore.load(tmp.resolve(dir)));
    }

    @Test
    void fromTheResults() {
        assertEquals(Set.of(7L), saved("recorded", List.of(7L), List.of("--sweep", "--seeds", "4")));
        // results written before the seeds were recorded: their arguments tell
        assertEquals(Set.of(4L, 5L), saved("args", null, List.of("--sweep", "--seeds", "4,5", "--resume")));
        assertEquals(Set.of(4L, 5L, 6L), saved("args2", null, List.of("--seeds=4,5", "--sweep", "--seeds", "6")));
        assertEquals(Set.of(1L), saved("default", null, List.of("--sweep")));
        assertEquals(Set.of(1L), saved("none", null, null));
    }
}
