package io.verigrid.node.http;

import io.javalin.http.Context;

/**
 * Integer path (and query) parameters. A value that is not a number, or that falls outside what the route takes, is a 400
 * naming the parameter; an int is never narrowed from a larger number (2^32 + 1 would otherwise read as 1).
 */
public final class PathParams {
    private PathParams() {}

    /** Path parameter {@code name} as a long of at least {@code min}. */
    public static long longParam(Context ctx, String name, long min) {
        return parse(ctx, name, min, Long.MAX_VALUE);
    }

    /** Path parameter {@code name} as an int of at least {@code min}. */
    public static int intParam(Context ctx, String name, int min) {
        return (int) parse(ctx, name, min, Integer.MAX_VALUE);
    }

    /** Query parameter {@code name} as an int in {@code min..max}, or {@code absent} when the request has none. */
    public static int intQuery(Context ctx, String name, int min, int max, int absent) {
        String text = ctx.queryParam(name);
        return text == null ? absent : (int) parse(text, name, min, max);
    }

    private static long parse(Context ctx, String name, long min, long max) {
        return parse(ctx.pathParam(name), name, min, max);
    }

    private static long parse(String text, String name, long min, long max) {
        try {
            long value = Long.parseLong(text);
            if (value >= min && value <= max) return value;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw ApiException.badRequest(name + " must be " + range(min, max) + ", got '" + text + "'");
    }

    private static String range(long min, long max) {
        if (max == Long.MAX_VALUE && min == 0) return "a non-negative integer";
        if (max == Long.MAX_VALUE && min == 1) return "a positive integer";
        return "an integer in " + min + ".." + max;
    }
}
