using System.Globalization;
using System.Net;
using System.Net.Sockets;
using K8shell.ServiceDefaults.Nats;
using Microsoft.Extensions.Options;

namespace K8shell.Shield.Nftables;

/// <summary>
/// Adds each banned address to an nftables set with the ban's duration as timeout:
/// <c>nft add element inet &lt;table&gt; &lt;set&gt; { &lt;ip&gt; timeout &lt;n&gt;s }</c>. The kernel removes the element when
/// it times out, so there is no unban command (as nfgate does it).
/// </summary>
internal sealed class NftablesPlugin(IOptions<ShieldOptions> options, ICommandRunner runner) : Bans.IBanPlugin
{
    private readonly NftablesOptions _options = options.Value.Nftables;

    public Task BanAsync(IPAddress address, TimeSpan duration, CancellationToken cancellationToken) =>
        CommandFor(address, duration) is { } arguments
            ? runner.RunAsync(_options.Command, arguments, cancellationToken)
            : Task.CompletedTask;

    /// <summary>nft's arguments for a ban, or null when no set is configured for the address's family.</summary>
    public IReadOnlyList<string>? CommandFor(IPAddress address, TimeSpan duration)
    {
        var normalized = BanEntry.Normalize(address);
        var set = normalized.AddressFamily == AddressFamily.InterNetwork ? _options.SetV4 : _options.SetV6;
        if (set.Length == 0)
        {
            return null;
        }
        // Whole seconds, at least one: nft's timeout has no fractions, and rounding up never shortens a ban.
        var seconds = Math.Max(1, (long)Math.Ceiling(duration.TotalSeconds));
        return ["add", "element", _options.Family, _options.Table, set,
            string.Create(CultureInfo.InvariantCulture, $"{{ {normalized} timeout {seconds}s }}")];
    }
}
