namespace K8shell.Ssh.Transport.Packets;

/// <summary>
/// Encryption and integrity of one direction of the binary packet protocol (RFC 4253 §6).
/// A packet buffer holds <c>uint32 packet_length || padding_length || payload || padding</c>;
/// the tag (MAC or AEAD tag) travels right after it.
/// </summary>
public abstract class PacketProtection : IDisposable
{
    /// <summary>Padding aligns to this (at least 8).</summary>
    public abstract int BlockSize { get; }

    /// <summary>Bytes of MAC or AEAD tag after each packet.</summary>
    public abstract int TagLength { get; }

    /// <summary>
    /// Whether the length field counts in the padding alignment: only without encryption. With
    /// encrypt-then-MAC and AEAD modes the length is handled apart from the encrypted blocks.
    /// </summary>
    public virtual bool AlignsLengthField => false;

    /// <summary>The packet_length from the first 4 bytes on the wire (decrypted where the mode hides it).</summary>
    public abstract uint ReadLength(uint sequenceNumber, ReadOnlySpan<byte> lengthField);

    /// <summary>Encrypts <paramref name="packet"/> in place and writes its tag.</summary>
    public abstract void Seal(uint sequenceNumber, Span<byte> packet, Span<byte> tag);

    /// <summary>Verifies the tag, then decrypts in place; false when the packet was tampered with.</summary>
    public abstract bool Open(uint sequenceNumber, Span<byte> packet, ReadOnlySpan<byte> tag);

    /// <summary>Releases the keys (native cipher and MAC state); the protection is not used afterwards.</summary>
    public virtual void Dispose()
    {
    }
}
