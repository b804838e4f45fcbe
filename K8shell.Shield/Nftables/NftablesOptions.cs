namespace K8shell.Shield.Nftables;

/// <summary>
/// Section <c>Shield:Nftables</c>: an nftables set on this host that gets every ban, with the ban's duration as the
/// element's timeout (the kernel lifts it; there is no unban). The set must exist, typed by address family and with
/// <c>flags timeout</c>, e.g. <c>nft add set inet k8shell banned_v4 '{ type ipv4_addr; flags timeout; }'</c>.
/// </summary>
internal sealed class NftablesOptions
{
    public bool Enabled { get; set; }

    /// <summary>The nft binary (a path, or a name looked up on PATH).</summary>
    public string Command { get; set; } = "nft";

    public string Family { get; set; } = "inet";

    public string Table { get; set; } = "k8shell";

    /// <summary>The set of banned IPv4 addresses.</summary>
    public string SetV4 { get; set; } = "banned_v4";

    /// <summary>The set of banned IPv6 addresses; empty leaves IPv6 bans to the proxies alone.</summary>
    public string SetV6 { get; set; } = "banned_v6";

    /// <summary>Messages naming the key of each bad value; nothing is checked while disabled.</summary>
    public IEnumerable<string> Problems(string section)
    {
        if (!Enabled)
        {
            yield break;
        }
        if (string.IsNullOrWhiteSpace(Command))
        {
            yield return $"{section}:{nameof(Command)} must name the nft binary.";
        }
        if (Family is not ("ip" or "ip6" or "inet"))
        {
            yield return $"{section}:{nameof(Family)} must be ip, ip6 or inet (got '{Family}').";
        }
        // These go on nft's command line: plain identifiers only, so no value can smuggle in another statement.
        foreach (var (key, value, required) in new[] { (nameof(Table), Table, true), (nameof(SetV4), SetV4, true), (nameof(SetV6), SetV6, false) })
        {
            if ((required || value.Length > 0) && !IsIdentifier(value))
            {
                yield return $"{section}:{key} must be an nftables name of letters, digits and '_' (got '{value}').";
            }
        }
    }

    private static bool IsIdentifier(string value) =>
        value.Length > 0 && char.IsAsciiLetter(value[0]) && value.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
}
