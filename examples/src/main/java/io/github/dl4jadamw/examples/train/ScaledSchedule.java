package io.github.dl4jadamw.examples.train;

import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.util.Objects;

/**
 * α·η_t: a multiplier schedule η_t (the library's warm-up schedules) turned into the absolute learning rate that
 * DL4J's own updaters take as their schedule (the Adam+L2 baseline). Stateless and JSON-serializable like the
 * schedules it wraps, so a network saved with {@code --save-models} restores it.
 */
public final class ScaledSchedule implements ISchedule {
    @JsonProperty private final double scale;
    @JsonProperty private final ISchedule schedule;

    @JsonCreator
    public ScaledSchedule(@JsonProperty("scale") double scale, @JsonProperty("schedule") ISchedule schedule) {
        this.scale = scale;
        this.schedule = Objects.requireNonNull(schedule, "schedule");
    }

    @Override
    public double valueAt(int iteration, int epoch) {
        return scale * schedule.valueAt(iteration, epoch);
    }

    public double getScale() { return scale; }
    public ISchedule getSchedule() { return schedule; }

    @Override
    public ISchedule clone() {
        return new ScaledSchedule(scale, schedule.clone());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ScaledSchedule && ((ScaledSchedule) o).scale == scale
                && ((ScaledSchedule) o).schedule.equals(schedule);
    }

    @Override
    public int hashCode() {
        return Objects.hash(scale, schedule);
    }

    @Override
    public String toString() {
        return "ScaledSchedule{scale=" + scale + ", " + schedule + "}";
    }
}
