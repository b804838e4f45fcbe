using Google.Protobuf.WellKnownTypes;
using K8shell.Contracts.Sessions.V1;

namespace K8shell.SshProxy.Recording;

/// <summary>The four kinds of recording call of sessions.proto, each with its header built from the channel's <see cref="RecordingRequest"/>.</summary>
internal static class RecordingWires
{
    /// <summary>A shell recorded without a known size is shown in the usual terminal.</summary>
    private const uint DefaultColumns = 80;
    private const uint DefaultRows = 24;

    /// <summary>The wire for <paramref name="request"/>; <paramref name="userToken"/> is asked again for each call, since tokens are short-lived.</summary>
    public static RecordingWire For(RecordingService.RecordingServiceClient client, RecordingRequest request, string sessionId,
        Func<CancellationToken, ValueTask<string>> userToken, DateTimeOffset startedAt, bool recordInput)
    {
        var started = Timestamp.FromDateTimeOffset(startedAt);
        async ValueTask<RecordingOrigin> Origin(CancellationToken cancellationToken) => new()
        {
            SessionId = sessionId,
            StreamId = request.StreamId,
            UserToken = await userToken(cancellationToken),
            StartedAt = started,
        };
        return request.Kind switch
        {
            RecordingKind.Shell => new RecordingWire<ShellRecordingFrame>(
                cancellationToken => client.StreamShellRecording(cancellationToken: cancellationToken),
                async cancellationToken => new ShellRecordingFrame
                {
                    Header = new ShellRecordingHeader
                    {
                        Origin = await Origin(cancellationToken),
                        Width = request.Columns > 0 ? request.Columns : DefaultColumns,
                        Height = request.Rows > 0 ? request.Rows : DefaultRows,
                        Term = request.Term ?? "",
                        Shell = request.Shell ?? "",
                        Title = request.StreamId,
                        RecordInput = recordInput,
                    },
                }),
            RecordingKind.Exec => new RecordingWire<ExecRecordingFrame>(
                cancellationToken => client.StreamExecRecording(cancellationToken: cancellationToken),
                async cancellationToken => new ExecRecordingFrame
                {
                    Header = new ExecRecordingHeader
                    {
                        Origin = await Origin(cancellationToken),
                        Command = request.Command ?? "",
                        Pty = request.Pty,
                        Width = request.Columns,
                        Height = request.Rows,
                        Term = request.Term ?? "",
                        RecordInput = recordInput,
                    },
                }),
            RecordingKind.Sftp => new RecordingWire<SftpRecordingFrame>(
                cancellationToken => client.StreamSftpRecording(cancellationToken: cancellationToken),
                async cancellationToken => new SftpRecordingFrame { Header = new SftpRecordingHeader { Origin = await Origin(cancellationToken) } }),
            RecordingKind.DirectTcpip => new RecordingWire<TcpipRecordingFrame>(
                cancellationToken => client.StreamTcpipRecording(cancellationToken: cancellationToken),
                async cancellationToken => new TcpipRecordingFrame
                {
                    Header = new TcpipRecordingHeader
                    {
                        Origin = await Origin(cancellationToken),
                        SrcHost = request.SourceHost ?? "",
                        SrcPort = request.SourcePort,
                        DstHost = request.DestinationHost ?? "",
                        DstPort = request.DestinationPort,
                    },
                }),
            _ => throw new ArgumentOutOfRangeException(nameof(request), request.Kind, "not a recording kind"),
        };
    }
}
