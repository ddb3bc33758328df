package io.verigrid.engine.io;

/**
 * The element types a safetensors header may name, with their sizes. Verigrid loads the float types
 * {@link #F32}, {@link #F16} and {@link #BF16} into float32 tensors; the others are recognised so that a
 * file holding them (integer buffers next to the weights) still opens and validates.
 */
public enum Dtype {
    BOOL(1), U8(1), I8(1), F8_E4M3(1), F8_E5M2(1),
    U16(2), I16(2), F16(2), BF16(2),
    U32(4), I32(4), F32(4),
    U64(8), I64(8), F64(8);

    private final int bytes;

    Dtype(int bytes) {
        this.bytes = bytes;
    }

    /** Bytes per element. */
    public int bytes() {
        return bytes;
    }

    /** True for the types {@link SafetensorsFile#load(String)} converts to float32 exactly. */
    public boolean loadsAsFloat32() {
        return this == F32 || this == F16 || this == BF16;
    }

    /** The dtype named {@code name} in a header, or {@code null} when safetensors has no such type. */
    static Dtype named(String name) {
        for (Dtype dtype : values()) {
            if (dtype.name().equals(name)) {
                return dtype;
            }
        }
        return null;
    }
}
