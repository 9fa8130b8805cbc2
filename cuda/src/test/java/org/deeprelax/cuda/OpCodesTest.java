package org.deeprelax.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.deeprelax.core.BinaryOp;
import org.deeprelax.core.UnaryOp;
import org.junit.jupiter.api.Test;

/**
 * The elementwise kernels and the Java enums agree: every {@link UnaryOp} constant has exactly one case in
 * each of {@code unary_op} and {@code unary_derivative}, every {@link BinaryOp} constant one in
 * {@code binary_op}, no case names a constant that is gone, and the generated header gives each constant
 * the code the host passes, with no two alike.
 */
class OpCodesTest {

    private static Set<String> cases(String source, String prefix) {
        Set<String> names = new TreeSet<>();
        Matcher m = Pattern.compile("case\\s+" + prefix + "_(\\w+)\\s*:").matcher(source);
        while (m.find()) {
            assertTrue(names.add(m.group(1)), "a switch of elementwise.cu has two cases for " + prefix + "_" + m.group(1));
        }
        return names;
    }

    /** The text of the device function {@code name}, from its signature to its closing brace. */
    private static String function(String source, String name) {
        int start = source.indexOf(" " + name + "(");
        assertTrue(start >= 0, "elementwise.cu has no function " + name);
        int open = source.indexOf('{', start);
        int depth = 0;
        for (int i = open; i < source.length(); i++) {
            char c = source.charAt(i);
            depth += c == '{' ? 1 : c == '}' ? -1 : 0;
            if (depth == 0) {
                return source.substring(start, i + 1);
            }
        }
        throw new AssertionError("function " + name + " of elementwise.cu is not closed");
    }

    private static Set<String> names(Enum<?>[] values) {
        return Arrays.stream(values).map(Enum::name).collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    void everyOperationHasItsKernelCaseAndNoOther() {
        String source = KernelCompiler.resource("elementwise.cu");
        assertTrue(source.contains("#include \"" + OpCodes.HEADER + "\""), "elementwise.cu must include the codes");
        for (String f : new String[] {"unary_op", "unary_derivative"}) {
            assertEquals(names(UnaryOp.values()), cases(function(source, f), "UNARY"),
                    "UnaryOp constants versus the cases of " + f + " in elementwise.cu");
        }
        assertEquals(names(BinaryOp.values()), cases(function(source, "binary_op"), "BINARY"),
                "BinaryOp constants versus the cases of binary_op in elementwise.cu");
    }

    @Test
    void theGeneratedHeaderGivesEachConstantTheCodeTheHostPasses() {
        String header = OpCodes.header();
        Set<Integer> unary = new HashSet<>();
        for (UnaryOp op : UnaryOp.values()) {
            assertTrue(header.contains("\n#define UNARY_" + op.name() + " " + OpCodes.of(op) + "\n"), header);
            assertTrue(unary.add(OpCodes.of(op)), "two unary operations share code " + OpCodes.of(op));
        }
        Set<Integer> binary = new HashSet<>();
        for (BinaryOp op : BinaryOp.values()) {
            assertTrue(header.contains("\n#define BINARY_" + op.name() + " " + OpCodes.of(op) + "\n"), header);
            assertTrue(binary.add(OpCodes.of(op)), "two binary operations share code " + OpCodes.of(op));
        }
        assertEquals(UnaryOp.values().length + BinaryOp.values().length, header.split("#define").length - 1, header);
        assertTrue(KernelCompiler.headers().containsKey(OpCodes.HEADER), "the compiler hands NVRTC the header");
    }
}
