using System.Runtime.InteropServices;

namespace K8shell.Ssh.Transport.Packets;

/// <summary>
/// The libsodium primitives OpenSSH's chacha20-poly1305 is built from (the original 64-bit-nonce
/// ChaCha20 with an initial block counter, and one-time Poly1305), called directly: NSec ships
/// libsodium but exposes only the IETF AEAD. Vectorised C, and nothing allocated per packet.
/// </summary>
internal static unsafe partial class Sodium
{
    private const string Library = "libsodium";

    static Sodium()
    {
        if (sodium_init() < 0)
        {
            throw new InvalidOperationException("libsodium failed to initialise");
        }
    }

    /// <summary>XORs <paramref name="data"/> in place with the keystream for <paramref name="nonce"/>, starting at block <paramref name="block"/>.</summary>
    public static void ChaCha20Xor(Span<byte> data, ulong nonce, ulong block, ReadOnlySpan<byte> key)
    {
        var nonceBytes = stackalloc byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(new Span<byte>(nonceBytes, 8), nonce);
        fixed (byte* pointer = data)
        fixed (byte* keyPointer = key)
        {
            crypto_stream_chacha20_xor_ic(pointer, pointer, (ulong)data.Length, nonceBytes, block, keyPointer);
        }
    }

    /// <summary>The first bytes of the keystream for <paramref name="nonce"/> (block 0).</summary>
    public static void ChaCha20Keystream(Span<byte> output, ulong nonce, ReadOnlySpan<byte> key)
    {
        output.Clear();
        ChaCha20Xor(output, nonce, 0, key);
    }

    public static void Poly1305(Span<byte> tag, ReadOnlySpan<byte> message, ReadOnlySpan<byte> key)
    {
        fixed (byte* tagPointer = tag)
        fixed (byte* messagePointer = message)
        fixed (byte* keyPointer = key)
        {
            crypto_onetimeauth_poly1305(tagPointer, messagePointer, (ulong)message.Length, keyPointer);
        }
    }

    /// <summary>Constant-time check of a Poly1305 tag.</summary>
    public static bool Poly1305Verify(ReadOnlySpan<byte> tag, ReadOnlySpan<byte> message, ReadOnlySpan<byte> key)
    {
        fixed (byte* tagPointer = tag)
        fixed (byte* messagePointer = message)
        fixed (byte* keyPointer = key)
        {
            return crypto_onetimeauth_poly1305_verify(tagPointer, messagePointer, (ulong)message.Length, keyPointer) == 0;
        }
    }

    [LibraryImport(Library)]
    private static partial int sodium_init();

    [LibraryImport(Library)]
    private static partial int crypto_stream_chacha20_xor_ic(byte* output, byte* input, ulong length, byte* nonce, ulong block, byte* key);

    [LibraryImport(Library)]
    private static partial int crypto_onetimeauth_poly1305(byte* tag, byte* input, ulong length, byte* key);

    [LibraryImport(Library)]
    private static partial int crypto_onetimeauth_poly1305_verify(byte* tag, byte* input, ulong length, byte* key);
}
