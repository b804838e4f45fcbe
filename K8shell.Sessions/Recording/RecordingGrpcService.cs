using K8shell.Contracts.Sessions.V1;

namespace K8shell.Sessions.Recording;

/// <summary>Answers RecordingService of sessions.proto; Unimplemented until the Sessions issue fills it in.</summary>
public sealed class RecordingGrpcService : RecordingService.RecordingServiceBase;
