using Microsoft.Extensions.Configuration;

namespace K8shell.ServiceDefaults.ServiceClients;

/// <summary>
/// Where a service's endpoint is: the addresses service discovery reads from <c>services:&lt;service&gt;:&lt;endpoint&gt;</c>
/// (one value, or a list <c>:0</c>, <c>:1</c>, … as the AppHost writes it).
/// </summary>
internal static class ServiceAddress
{
    /// <summary>The configured addresses, empty when none is.</summary>
    public static IReadOnlyList<string> Configured(IConfiguration configuration, string service, string endpoint)
    {
        var section = configuration.GetSection($"services:{service}:{endpoint}");
        return [.. new[] { section.Value }.Concat(section.GetChildren().Select(child => child.Value)).OfType<string>().Where(value => value.Trim().Length > 0)];
    }

    /// <summary>
    /// The address a channel is given, which the service discovery handler replaces per request. Its scheme must be
    /// the configured one, as discovery passes over addresses of another scheme; gRPC takes no <c>https+http</c>.
    /// </summary>
    public static Uri ForDiscovery(IConfiguration configuration, string service, string endpoint)
    {
        var secure = Configured(configuration, service, endpoint).Any(address => address.StartsWith("https://", StringComparison.OrdinalIgnoreCase));
        return new Uri($"{(secure ? Uri.UriSchemeHttps : Uri.UriSchemeHttp)}://_{endpoint}.{service}");
    }
}
