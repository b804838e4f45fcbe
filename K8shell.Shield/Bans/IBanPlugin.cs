using System.Net;

namespace K8shell.Shield.Bans;

/// <summary>Somewhere besides <c>ssh-bans</c> that enforces a ban (a firewall); each plugin gets every ban.</summary>
internal interface IBanPlugin
{
    /// <summary>Blocks <paramref name="address"/> for <paramref name="duration"/>; the plugin's side lifts it by itself.</summary>
    Task BanAsync(IPAddress address, TimeSpan duration, CancellationToken cancellationToken);
}
