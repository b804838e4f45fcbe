namespace K8shell.ServiceDefaults.Nats;

/// <summary>
/// What <c>AddNatsClient</c> reads from configuration section <c>Nats:Client</c>; the connection
/// string comes from <c>ConnectionStrings:{name}</c> when present, as with Aspire.NATS.Net.
/// </summary>
public sealed class NatsClientSettings
{
    public const string ConfigurationSection = "Nats:Client";

    /// <summary>A NATS URL such as <c>nats://user:password@host:4222</c> (a comma list for a cluster).</summary>
    public string? ConnectionString { get; set; }

    public bool DisableHealthChecks { get; set; }

    public bool DisableTracing { get; set; }
}
