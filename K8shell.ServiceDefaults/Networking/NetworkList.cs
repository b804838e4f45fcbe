using System.Net;
using System.Net.Sockets;
using K8shell.ServiceDefaults.Nats;

namespace K8shell.ServiceDefaults.Networking;

/// <summary>
/// A configured list of CIDRs (IPv4 and IPv6) that answers "is this address in it?" the way an operator
/// means it: an IPv4-mapped IPv6 peer (a dual-stack socket's view of an IPv4 client) matches IPv4 CIDRs.
/// </summary>
public sealed class NetworkList
{
    private readonly IPNetwork[] _networks;

    private NetworkList(IPNetwork[] networks) => _networks = networks;

    /// <summary>Parses every entry; call <see cref="Problems"/> first (options validation) for messages naming the key.</summary>
    public static NetworkList Parse(IEnumerable<string> cidrs) =>
        new([.. cidrs.Select(cidr => TryParse(cidr, out var network) ? network : throw new FormatException($"'{cidr}' is not a CIDR."))]);

    /// <summary>One message per entry that is not a CIDR, naming <paramref name="key"/> and the entry's index.</summary>
    public static IEnumerable<string> Problems(string key, IReadOnlyList<string> cidrs)
    {
        for (var i = 0; i < cidrs.Count; i++)
        {
            if (!TryParse(cidrs[i], out _))
            {
                yield return $"{key}:{i} must be a CIDR such as 10.0.0.0/8 or fd00::/8 (got '{cidrs[i]}'; the address must have no bits set past the prefix).";
            }
        }
    }

    /// <summary>
    /// A CIDR, or a bare address as a network of one. Strict: "10.0.0.1/8" is refused rather than read as
    /// 10.0.0.0/8, since the operator probably meant something else.
    /// </summary>
    private static bool TryParse(string? text, out IPNetwork network)
    {
        network = default;
        var trimmed = text?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            return false;
        }
        if (!trimmed.Contains('/'))
        {
            if (!IPAddress.TryParse(trimmed, out var single))
            {
                return false;
            }
            network = new IPNetwork(single, single.AddressFamily == AddressFamily.InterNetwork ? 32 : 128);
            return true;
        }
        return IPNetwork.TryParse(trimmed, out network)
            && IPAddress.TryParse(trimmed[..trimmed.IndexOf('/')], out var written)
            && written.Equals(network.BaseAddress);
    }

    public bool Contains(IPAddress address)
    {
        var normalized = Normalize(address);
        return _networks.Any(network => network.Contains(normalized));
    }

    /// <summary>IPv4-mapped IPv6 as IPv4, scope ID dropped: one client, one form (the same as the ban keys').</summary>
    public static IPAddress Normalize(IPAddress address) => BanEntry.Normalize(address);

    public override string ToString() => _networks.Length == 0 ? "(none)" : string.Join(", ", _networks);
}
