using System.Net;
using K8shell.ServiceDefaults.Nats;
using K8shell.Shield.Detection;

namespace K8shell.Shield.Bans;

/// <summary>
/// Puts a ban into effect: the <see cref="BanEntry"/> in <c>ssh-bans</c> that every proxy enforces before the handshake,
/// then each plugin. A plugin's failure is logged, not thrown: the proxies' ban already holds.
/// </summary>
internal sealed partial class BanIssuer(
    ShieldBuckets buckets,
    IEnumerable<IBanPlugin> plugins,
    ShieldTelemetry telemetry,
    ILogger<BanIssuer> logger)
{
    private readonly IBanPlugin[] _plugins = [.. plugins];

    public async Task IssueAsync(IPAddress address, BanDecision ban, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var entry = BanEntry.For(address, ban.Reason, now, ban.Duration);
        var bans = await buckets.BansAsync(cancellationToken);
        await bans.PutAsync(BanEntry.KeyFor(address), entry.ToJson(), cancellationToken: cancellationToken);
        telemetry.Banned(BanEntry.KeyFor(address), ban.Strike, entry.ExpiresAt);
        LogBanned(logger, entry.Ip, ban.Strike, ban.Duration, ban.Reason);
        foreach (var plugin in _plugins)
        {
            try
            {
                await plugin.BanAsync(address, ban.Duration, cancellationToken);
            }
            catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
            {
                LogPluginFailed(logger, exception, plugin.GetType().Name, entry.Ip);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Banned {Ip}: strike {Strike}, for {Duration}, because {Reason}")]
    private static partial void LogBanned(ILogger logger, string ip, int strike, TimeSpan duration, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Ban plugin {Plugin} failed to ban {Ip}; the proxies still refuse it")]
    private static partial void LogPluginFailed(ILogger logger, Exception exception, string plugin, string ip);
}
