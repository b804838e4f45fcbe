using K8shell.Contracts.Sessions.V1;

namespace K8shell.Sessions.Records;

/// <summary>Answers SessionService of sessions.proto; Unimplemented until the Sessions issue fills it in.</summary>
internal sealed class SessionGrpcService : SessionService.SessionServiceBase;
