namespace K8shell.Sessions.Records;

/// <summary>Session records: the store, SessionService and <c>/api/sessions</c>.</summary>
internal static class SessionRecordsRegistration
{
    public static WebApplicationBuilder AddSessionRecords(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ISessionRecordings, RecordingsOfSessions>();
        builder.Services.AddSingleton<SessionStore>();
        builder.Services.AddGrpc().AddServiceOptions<SessionGrpcService>(grpc => grpc.Interceptors.Add<StoreFailures>());
        return builder;
    }

    public static WebApplication MapSessionRecords(this WebApplication app)
    {
        app.MapGrpcService<SessionGrpcService>().RequireAuthorization();
        app.MapSessionsHttpApi();
        return app;
    }
}
