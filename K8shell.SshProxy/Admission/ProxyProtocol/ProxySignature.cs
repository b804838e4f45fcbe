namespace K8shell.SshProxy.Admission.ProxyProtocol;

/// <summary>What the first bytes of a connection say about a PROXY header, decided on as few bytes as possible.</summary>
internal enum ProxySignatureMatch
{
    /// <summary>Too few bytes to tell yet.</summary>
    Partial,
    /// <summary>Not a PROXY header (an SSH client starts with "SSH-").</summary>
    None,
    /// <summary>"PROXY " (text, version 1).</summary>
    Version1,
    /// <summary>The 12-byte binary signature of version 2.</summary>
    Version2,
}

/// <summary>The signatures of the PROXY protocol versions (haproxy's proxy-protocol.txt §2.1, §2.2).</summary>
internal static class ProxySignature
{
    public static ReadOnlySpan<byte> Version1 => "PROXY "u8;

    public static ReadOnlySpan<byte> Version2 => [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A];

    /// <summary>Bytes needed at most to decide.</summary>
    public const int LongestLength = 12;

    public static ProxySignatureMatch Match(ReadOnlySpan<byte> first)
    {
        if (first.IsEmpty)
        {
            return ProxySignatureMatch.Partial;
        }
        if (StartsLike(first, Version1))
        {
            return first.Length >= Version1.Length ? ProxySignatureMatch.Version1 : ProxySignatureMatch.Partial;
        }
        if (StartsLike(first, Version2))
        {
            return first.Length >= Version2.Length ? ProxySignatureMatch.Version2 : ProxySignatureMatch.Partial;
        }
        return ProxySignatureMatch.None;
    }

    private static bool StartsLike(ReadOnlySpan<byte> first, ReadOnlySpan<byte> signature)
    {
        var length = Math.Min(first.Length, signature.Length);
        return first[..length].SequenceEqual(signature[..length]);
    }
}
