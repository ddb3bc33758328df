package io.verigrid.engine.data;

/** A text record; {@code text} must be well-formed UTF-16 (no unpaired surrogates) so that it has one UTF-8 form. */
public record TextRecord(int origin, String text) implements DataRecord {
    public TextRecord {
        if (origin < 0) {
            throw new IllegalArgumentException("origin must be >= 0, got " + origin);
        }
        if (text == null) {
            throw new IllegalArgumentException("text of record " + origin + " must not be null");
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new IllegalArgumentException("text of record " + origin + " has an unpaired surrogate at index " + i);
            }
        }
    }

    @Override
    public RecordType type() {
        return RecordType.TEXT;
    }

    @Override
    public DataRecord withOrigin(int newOrigin) {
        return new TextRecord(newOrigin, text);
    }

    @Override
    public void write(DataWriter out) {
        out.u8(1).u32(origin).string(text);
    }
}
