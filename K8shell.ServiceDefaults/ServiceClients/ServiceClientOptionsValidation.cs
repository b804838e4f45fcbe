using K8shell.ServiceDefaults.Callers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace K8shell.ServiceDefaults.ServiceClients;

/// <summary>A service this one calls, and the endpoint it calls it on: what must have an address at start.</summary>
internal sealed record ServiceClientRegistration(string Service, string Endpoint);

/// <summary>
/// A client without an address or a credential could only fail every call later; it stops the service at start
/// instead, naming the key to set.
/// </summary>
internal sealed class ServiceClientOptionsValidation(IEnumerable<ServiceClientRegistration> registrations, IConfiguration configuration)
    : IValidateOptions<ServiceClientOptions>
{
    public ValidateOptionsResult Validate(string? name, ServiceClientOptions options)
    {
        var endpoints = registrations.Where(registration => registration.Service == name).Select(registration => registration.Endpoint).Distinct().ToList();
        if (endpoints.Count == 0)
        {
            return ValidateOptionsResult.Skip;
        }
        var problems = Problems(name!, endpoints, options).ToList();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    private IEnumerable<string> Problems(string service, List<string> endpoints, ServiceClientOptions options)
    {
        var prefix = $"{ServiceClientOptions.Section}:{service}";
        foreach (var endpoint in endpoints.Where(endpoint => ServiceAddress.Configured(configuration, service, endpoint).Count == 0))
        {
            yield return $"services:{service}:{endpoint}:0: no address for {service}'s {endpoint} endpoint; set it (environment services__{service}__{endpoint}__0), e.g. http://127.0.0.1:5001";
        }
        var token = !string.IsNullOrEmpty(options.Token);
        var file = !string.IsNullOrEmpty(options.TokenFile);
        if (!token && !file)
        {
            yield return $"{prefix}:Token or {prefix}:TokenFile: set one, the credential calls to {service} carry (a static token it allows, or a service-account token file)";
        }
        if (token && file)
        {
            yield return $"{prefix}:Token and {prefix}:TokenFile are both set; set one";
        }
        if (file && ClusterFiles.Problem(options.TokenFile!, path => ClusterFiles.ReadToken(path)) is { } unreadable)
        {
            yield return $"{prefix}:TokenFile: {unreadable}";
        }
        if (options.Deadline <= TimeSpan.Zero)
        {
            yield return $"{prefix}:Deadline: '{options.Deadline}' must be positive (default 00:00:10)";
        }
    }
}
