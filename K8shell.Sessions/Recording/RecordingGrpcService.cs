using K8shell.Contracts.Sessions.V1;

namespace K8shell.Sessions.Recording;

/// <summary>Answers RecordingService of sessions.proto; Unimplemented until the Sessions issue fills it in.</summary>
internal sealed class RecordingGrpcService : RecordingService.RecordingServiceBase;
