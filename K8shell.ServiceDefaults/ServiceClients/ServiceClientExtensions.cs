using K8shell.ServiceDefaults.ServiceClients;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace K8shell.ServiceDefaults;

/// <summary>Calling another K8shell service over gRPC, as one of its allowed callers.</summary>
public static class ServiceClientExtensions
{
    /// <summary>How long an HTTP/2 connection may stay silent before a ping asks whether the peer is still there.</summary>
    public static readonly TimeSpan KeepAlivePingDelay = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Registers the typed gRPC client <typeparamref name="TClient"/> for <paramref name="service"/>: its address from
    /// service discovery (<c>services:&lt;service&gt;:&lt;endpoint&gt;:0</c>, which the AppHost sets as
    /// <c>services__&lt;service&gt;__&lt;endpoint&gt;__0</c>), every call carrying <c>authorization: Bearer</c> the
    /// credential from <c>Services:&lt;service&gt;:Token</c> or <c>:TokenFile</c>, unary calls bounded by
    /// <c>Services:&lt;service&gt;:Deadline</c> (10 s) unless they give a deadline. Missing settings stop the service at start.
    /// </summary>
    public static IHttpClientBuilder AddServiceGrpcClient<TClient>(this IServiceCollection services, string service, string endpoint = "grpc")
        where TClient : class
    {
        ArgumentException.ThrowIfNullOrEmpty(service);
        ArgumentException.ThrowIfNullOrEmpty(endpoint);
        // Once per service and endpoint, however many clients (one per gRPC service in the proto) call it.
        var registration = new ServiceClientRegistration(service, endpoint);
        if (!services.Any(descriptor => registration.Equals(descriptor.ImplementationInstance)))
        {
            services.AddSingleton(registration);
            services.AddOptions<ServiceClientOptions>(service).BindConfiguration($"{ServiceClientOptions.Section}:{service}").ValidateOnStart();
        }
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ServiceClientOptions>, ServiceClientOptionsValidation>());
        services.TryAddSingleton<ServiceCredentials>();

        var client = services
            // Resolved per request by the service discovery handler the service defaults give every client.
            .AddGrpcClient<TClient>((provider, options) =>
                options.Address = ServiceAddress.ForDiscovery(provider.GetRequiredService<IConfiguration>(), service, endpoint))
            // Plain HTTP/2 is how the services talk inside the stack and the cluster; the credential is meant for that hop.
            .ConfigureChannel(channel => channel.UnsafeUseInsecureChannelCallCredentials = true)
            .AddCallCredentials(async (context, metadata, provider) =>
                metadata.Add("authorization", $"Bearer {await provider.GetRequiredService<ServiceCredentials>().GetAsync(service, context.CancellationToken)}"))
            .AddInterceptor(provider => new DefaultDeadline(Settings(provider, service).Deadline))
            .ConfigurePrimaryHttpMessageHandler(provider => new SocketsHttpHandler
            {
                ConnectTimeout = Settings(provider, service).Deadline,
                // A peer gone without a word (a node lost, a black-holed route) ends long streams too, which have no deadline.
                KeepAlivePingDelay = KeepAlivePingDelay,
                KeepAlivePingTimeout = Settings(provider, service).Deadline,
                KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
                EnableMultipleHttp2Connections = true,
            });
        // The service defaults give every HTTP client the standard resilience handler, made for request/response HTTP.
        // In front of gRPC it turns a dependency that is down into seconds of retries and backoff (7 s measured) where
        // the caller should hear Unavailable at once, and its timeouts compete with the deadline. Deadlines and status
        // codes take its place; a caller that wants to retry decides so from the status.
#pragma warning disable EXTEXP0001 // Marked experimental; it is the documented way to take the defaults back for one client.
        client.RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        return client;
    }

    private static ServiceClientOptions Settings(IServiceProvider provider, string service) =>
        provider.GetRequiredService<IOptionsMonitor<ServiceClientOptions>>().Get(service);
}
