/**
 * V8 takes a field's representation from the first value stored in it. A field that will hold a number beyond small
 * integers (fen past 2^31, milliseconds, fractions) is first given this fraction and then its real start value, so it
 * is a double from the start: otherwise the first such value changes every instance's hidden class mid-run and throws
 * away the optimised code built for it (and each batch worker pays that again). The values are the same either way.
 */
export const DOUBLE_HINT = 0.5;
