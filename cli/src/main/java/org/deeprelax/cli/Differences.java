package org.deeprelax.cli;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Where two records of the same type differ, component by component and into nested records, so that a
 * message can say which saved setting a flag would change and what it was.
 */
final class Differences {

    private Differences() {
    }

    /**
     * @param before the record as it was
     * @param after the same type of record, changed
     * @return "path = value before" for each leaf that differs, e.g. {@code settings.innerSteps = 20}; empty
     *         if the two are equal
     */
    static List<String> between(Record before, Record after) {
        List<String> out = new ArrayList<>();
        collect("", before, after, out);
        return out;
    }

    private static void collect(String path, Object a, Object b, List<String> out) {
        if (Objects.equals(a, b)) {
            return;
        }
        if (a instanceof Record ra && b instanceof Record && a.getClass() == b.getClass()) {
            for (RecordComponent c : ra.getClass().getRecordComponents()) {
                collect(path.isEmpty() ? c.getName() : path + "." + c.getName(), value(c, a), value(c, b), out);
            }
            return;
        }
        out.add((path.isEmpty() ? "value" : path) + " = " + a);
    }

    private static Object value(RecordComponent c, Object record) {
        try {
            c.getAccessor().setAccessible(true);
            return c.getAccessor().invoke(record);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot read " + c.getName() + " of " + record.getClass(), e);
        }
    }
}
