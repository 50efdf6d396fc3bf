package io.github.dl4jadamw;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;

/**
 * A small map from buffers to what we know of their network, by identity and holding keys weakly. Not
 * {@code WeakHashMap}: ND4J's {@code BaseDataBuffer} hashes by length alone and compares contents element by element
 * in {@code equals} (within 1e-12), so two networks of one size, a clone or two identically seeded copies trained in
 * lockstep, would share an entry, and every lookup could read both buffers whole. A thread or a JVM trains a handful of
 * networks at a time, so a list is searched; entries whose key was collected are dropped on {@code put}.
 */
final class WeakIdentityMap<K, V> {
    private final List<WeakReference<K>> keys = new ArrayList<>();
    private final List<V> values = new ArrayList<>();

    V get(K key) {
        for (int i = 0; i < keys.size(); i++) if (keys.get(i).get() == key) return values.get(i);
        return null;
    }

    void put(K key, V value) {
        for (int i = keys.size() - 1; i >= 0; i--) {
            K k = keys.get(i).get();
            if (k == key) {
                values.set(i, value);
                return;
            }
            if (k == null) {
                keys.remove(i);
                values.remove(i);
            }
        }
        keys.add(new WeakReference<>(key));
        values.add(value);
    }

    void remove(K key) {
        for (int i = 0; i < keys.size(); i++)
            if (keys.get(i).get() == key) {
                keys.remove(i);
                values.remove(i);
                return;
            }
    }

    boolean isEmpty() {
        return keys.isEmpty();
    }
}
