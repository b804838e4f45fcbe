using K8shell.Contracts.Sessions.V1;
using K8shell.ServiceDefaults;
using K8shell.SshProxy.Recording;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace K8shell.SshProxy.SessionRecords;

/// <summary>The proxy's side of Sessions: each connection's record (<see cref="SessionReporting"/>) and its channels' recordings (<see cref="ConnectionRecordings"/>).</summary>
internal static class SessionRecordsRegistration
{
    /// <summary>Binds <c>SshProxy:Sessions</c> and <c>SshProxy:Recording</c> and the clients of service <c>sessions</c> (<c>Services:sessions</c>).</summary>
    public static TBuilder AddSessionRecords<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddOptions<SessionReportingOptions>().BindConfiguration(SessionReportingOptions.Section)
            .Validate(options => options.UpdateInterval > TimeSpan.Zero, $"{SessionReportingOptions.Section}:UpdateInterval must be positive")
            .Validate(options => options.EndAttempts is >= 1 and <= 100, $"{SessionReportingOptions.Section}:EndAttempts must be from 1 to 100")
            .Validate(options => options.EndRetryDelay > TimeSpan.Zero, $"{SessionReportingOptions.Section}:EndRetryDelay must be positive")
            .ValidateOnStart();
        builder.Services.AddOptions<RecordingOptions>().BindConfiguration(RecordingOptions.Section)
            .Validate(options => options.BufferBytes is >= 64 * 1024 and <= 1024L * 1024 * 1024,
                $"{RecordingOptions.Section}:BufferBytes must be from 65536 (64 KiB) to 1073741824 (1 GiB)")
            .Validate(options => Enum.IsDefined(options.FailMode), $"{RecordingOptions.Section}:FailMode must be open or closed")
            .Validate(options => options.FlushTimeout > TimeSpan.Zero, $"{RecordingOptions.Section}:FlushTimeout must be positive")
            .Validate(options => options.MaxRetryDelay > TimeSpan.Zero, $"{RecordingOptions.Section}:MaxRetryDelay must be positive")
            .Validate(options => options.ConfirmInterval > TimeSpan.Zero, $"{RecordingOptions.Section}:ConfirmInterval must be positive")
            .ValidateOnStart();
        builder.Services.AddServiceGrpcClient<SessionService.SessionServiceClient>("sessions");
        builder.Services.AddServiceGrpcClient<RecordingService.RecordingServiceClient>("sessions");
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddMetrics();
        builder.Services.AddSingleton<RecordingMetrics>();
        builder.Services.AddSingleton<SessionReporting>();
        builder.Services.AddSingleton<ConnectionRecordings>();
        return builder;
    }
}
