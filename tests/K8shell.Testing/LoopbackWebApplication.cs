using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace K8shell.Testing;

/// <summary>The in-process servers that stand in for others (the Kubernetes API, GitHub and GitLab): Kestrel on a free loopback port.</summary>
public static class LoopbackWebApplication
{
    /// <summary>
    /// A builder without the test process's configuration: an appsettings.json copied in from the project under test
    /// (the Provisioner's names Kestrel endpoints) or ASPNETCORE_URLS would move the server elsewhere. Quiet: the
    /// tests assert on what the services under test log, not on what their stand-ins do.
    /// </summary>
    public static WebApplicationBuilder CreateBuilder()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        return builder;
    }

    /// <summary>As <see cref="CreateBuilder"/>, for gRPC services.</summary>
    public static WebApplicationBuilder CreateHttp2Builder()
    {
        var builder = CreateBuilder();
        // gRPC without TLS needs HTTP/2 with prior knowledge, which Kestrel speaks only when told that is all there is.
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureEndpointDefaults(endpoint => endpoint.Protocols = HttpProtocols.Http2));
        return builder;
    }
}
