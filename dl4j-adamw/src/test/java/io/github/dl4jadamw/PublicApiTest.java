package io.github.dl4jadamw;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The library's public surface, written out by hand: a type that becomes public by accident (or an internal one that
 * leaks out of {@code io.github.dl4jadamw.internal}) fails here, and so does a public constructor on a configuration
 * (users build them with builders and factories; Jackson reads its own private creators).
 */
class PublicApiTest {

    /**
     * What users touch: configurations, their builders, the marker, per-tensor decay rules and their table, schedules,
     * listener, repair utility, policies.
     */
    static final Set<String> API = new TreeSet<>(Set.of(
            "io.github.dl4jadamw.AdamW",
            "io.github.dl4jadamw.AdamW$Builder",
            "io.github.dl4jadamw.AdamWR",
            "io.github.dl4jadamw.AdamWR$Builder",
            "io.github.dl4jadamw.SGDW",
            "io.github.dl4jadamw.SGDW$Builder",
            "io.github.dl4jadamw.SGDWR",
            "io.github.dl4jadamw.SGDWR$Builder",
            "io.github.dl4jadamw.DecoupledDecayUpdater",
            "io.github.dl4jadamw.DecoupledDecayUpdater$Builder",
            "io.github.dl4jadamw.WarmRestartsBuilder",
            "io.github.dl4jadamw.DecoupledWeightDecay",
            "io.github.dl4jadamw.DecayRules",
            "io.github.dl4jadamw.DecayTable",
            "io.github.dl4jadamw.DecayTable$Row",
            "io.github.dl4jadamw.ParamKind",
            "io.github.dl4jadamw.DecayConvention",
            "io.github.dl4jadamw.NormalizedWeightDecay",
            "io.github.dl4jadamw.NonFiniteGradients",
            "io.github.dl4jadamw.NonFiniteGradientException",
            "io.github.dl4jadamw.AdamWListener",
            "io.github.dl4jadamw.AdamWListener$Builder",
            "io.github.dl4jadamw.AdamWListener$Record",
            "io.github.dl4jadamw.AdamWListener$Restart",
            "io.github.dl4jadamw.DuplicateRegularizations",
            "io.github.dl4jadamw.EmaWeights",
            "io.github.dl4jadamw.LayerwiseLrDecay",
            "io.github.dl4jadamw.schedule.CosineWarmRestarts",
            "io.github.dl4jadamw.schedule.CosineWarmRestarts$Period",
            "io.github.dl4jadamw.schedule.LinearWarmupDecay",
            "io.github.dl4jadamw.schedule.CosineWarmup",
            "io.github.dl4jadamw.schedule.WarmupStableDecay",
            "io.github.dl4jadamw.schedule.WarmupStableDecay$Shape"));

    /** Public only because the library's packages share them; documented as not API. */
    static final String INTERNAL = "io.github.dl4jadamw.internal.";

    /** Public constructors that are meant for users (an exception type is thrown, not built). */
    static final Set<String> PUBLIC_CONSTRUCTORS = Set.of();

    @Test
    void publicTypesAreExactlyTheApi() throws Exception {
        Set<String> outsideInternal = publicTypes().stream().filter(n -> !n.startsWith(INTERNAL))
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(API, outsideInternal, "public types outside " + INTERNAL);
    }

    @Test
    void configurationsHaveNoPublicConstructors() throws Exception {
        Set<String> found = new TreeSet<>();
        for (String n : API) {
            for (Constructor<?> c : Class.forName(n).getConstructors())
                found.add(c.toGenericString());
        }
        assertEquals(PUBLIC_CONSTRUCTORS, found);
    }

    /** Every class file of the library's main output, public (and, if nested, inside public types all the way out). */
    static Set<String> publicTypes() throws IOException, URISyntaxException, ClassNotFoundException {
        Path root = Paths.get(AdamW.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        assertTrue(Files.isDirectory(root), "expected the library's classes directory, got " + root);
        Set<String> names;
        try (Stream<Path> files = Files.walk(root)) {
            names = files.filter(p -> p.toString().endsWith(".class"))
                    .map(p -> root.relativize(p).toString().replace('/', '.').replaceAll("\\.class$", ""))
                    .filter(n -> !n.endsWith("package-info"))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
        Set<String> pub = new TreeSet<>();
        for (String n : names) {
            Class<?> c = Class.forName(n, false, AdamW.class.getClassLoader());
            if (c.isAnonymousClass() || c.isLocalClass() || c.isSynthetic()) continue;
            boolean visible = true;
            for (Class<?> k = c; k != null; k = k.getEnclosingClass())
                visible &= Modifier.isPublic(k.getModifiers());
            if (visible) pub.add(n);
        }
        return pub;
    }
}
