using K8shell.Sessions.Records;
using Microsoft.Extensions.Options;

namespace K8shell.Sessions.Recording;

/// <summary>Recordings in Sessions: the gRPC streams, the catalog, the files, their retention and the download endpoint.</summary>
internal static class RecordingRegistration
{
    public static WebApplicationBuilder AddSessionRecordings(this WebApplicationBuilder builder)
    {
        var identityHttp = builder.Configuration["services:identity:http:0"];
        builder.Services.AddOptions<RecordingOptions>().BindConfiguration(RecordingOptions.Section)
            .PostConfigure(options => options.JwksUrl ??= identityHttp is { Length: > 0 } ? new Uri(new Uri(identityHttp), "/.well-known/jwks.json") : null)
            .Validate(options => options.JwksUrl is null || (options.JwksUrl.IsAbsoluteUri && options.JwksUrl.Scheme is "http" or "https"),
                $"{RecordingOptions.Section}:JwksUrl must be an absolute http(s) URL (Identity's /.well-known/jwks.json)")
            .Validate(options => !string.IsNullOrWhiteSpace(options.UserTokenAudience), $"{RecordingOptions.Section}:UserTokenAudience must not be empty")
            .Validate(options => options.IdleTimeout > TimeSpan.Zero, $"{RecordingOptions.Section}:IdleTimeout must be positive")
            .Validate(options => options.CheckpointInterval > TimeSpan.Zero, $"{RecordingOptions.Section}:CheckpointInterval must be positive")
            .ValidateOnStart();
        builder.Services.AddHttpClient(nameof(UserTokens));
        builder.Services.AddSingleton(services => new RecordingDirectory(services.GetRequiredService<IOptions<SessionsOptions>>().Value.DataDirectory));
        builder.Services.AddSingleton<RecordingCatalog>();
        builder.Services.AddSingleton<RecordingFiles>();
        builder.Services.AddSingleton<OpenRecordings>();
        builder.Services.AddSingleton<UserTokens>();
        builder.Services.AddSingleton<RecordingCalls>();
        builder.Services.AddHostedService<RecordingLifetime>();
        // After the records' own target (registered first): ended sessions, then recordings, under one lease.
        builder.Services.AddSingleton<IRetentionTarget, RecordingsRetention>();
        builder.Services.AddGrpc().AddServiceOptions<RecordingGrpcService>(grpc => grpc.Interceptors.Add<RecordingFailures>());
        return builder;
    }

    public static WebApplication MapSessionRecordings(this WebApplication app)
    {
        app.MapGrpcService<RecordingGrpcService>().RequireAuthorization();
        app.MapRecordingDownload();
        return app;
    }
}
