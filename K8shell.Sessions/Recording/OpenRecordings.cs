using Grpc.Core;

namespace K8shell.Sessions.Recording;

/// <summary>
/// The recording files this process has open, and their streams. Calls attach to a stream (opening, creating or
/// reopening its file as needed), the connection's end closes its files, and idle files are saved and closed.
/// Opening and closing take turns (one lifecycle lock); frames and checkpoints go to each file's own gate.
/// Lock order: a stream's <see cref="RecordingStream.Calls"/>, then the lifecycle lock, then a file's gate.
/// </summary>
/// <remarks>
/// One process writes a connection's files: the proxy sends a connection's recording calls to one replica
/// (reference §5.4, <c>x-connection-affinity</c>); replicas sharing a database and a volume do not coordinate writes.
/// </remarks>
internal sealed partial class OpenRecordings(RecordingDirectory directory, RecordingCatalog catalog, RecordingFiles files, ILogger<OpenRecordings> logger)
{
    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private readonly Dictionary<string, OpenRecording> _files = [];
    private readonly Dictionary<string, RecordingStream> _streams = [];

    /// <summary>
    /// The stream <paramref name="header"/> names, held for one call: a newer call stops an older one and takes over.
    /// FailedPrecondition when it is completed; InvalidArgument or PermissionDenied when the header disagrees with it.
    /// </summary>
    public async Task<RecordingLease> AttachAsync(StreamHeader header, string username, CancellationToken cancellationToken)
    {
        while (true)
        {
            RecordingStream stream;
            await _lifecycle.WaitAsync(cancellationToken);
            try
            {
                stream = await FindOrOpenAsync(header, username, cancellationToken);
                stream.File.CallStarted();
            }
            finally
            {
                _lifecycle.Release();
            }
            stream.StopCall(new Status(StatusCode.Aborted, $"a newer call took over stream {stream.StreamId}"));
            try
            {
                await stream.Calls.WaitAsync(cancellationToken);
            }
            catch
            {
                stream.File.CallEnded();
                throw;
            }
            if (stream.Removed || stream.Completed)
            {
                stream.Calls.Release();
                stream.File.CallEnded();
                // Closed while we waited: look again (the catalog knows where it stands now, and whether it completed).
                continue;
            }
            return new RecordingLease(this, stream, stream.BeginCall(cancellationToken), logger);
        }
    }

    /// <summary>The stream if this process has it open.</summary>
    public RecordingStream? Find(string streamId)
    {
        lock (_files)
        {
            return _streams.GetValueOrDefault(streamId);
        }
    }

    /// <summary>Whether a stream of the connection is open here.</summary>
    public bool HasOpen(string sessionId)
    {
        lock (_files)
        {
            return _streams.Values.Any(stream => stream.SessionId == sessionId);
        }
    }

    /// <summary>Whether a file of <paramref name="recordingId"/> is open here: being written, so never deleted.</summary>
    public bool IsOpen(string recordingId)
    {
        lock (_files)
        {
            return _files.Values.Any(file => file.RecordingId == recordingId);
        }
    }

    private async Task<RecordingStream> FindOrOpenAsync(StreamHeader header, string username, CancellationToken cancellationToken)
    {
        if (Find(header.StreamId) is { } open)
        {
            Check(header, username, open.SessionId, open.Kind, open.Username, open.Completed);
            return open;
        }
        var row = await catalog.FindAsync(header.StreamId, cancellationToken);
        if (row is not null)
        {
            Check(header, username, row.SessionId, row.Kind, row.Username, row.Completed);
        }
        if (header.Terminal is { } terminal)
        {
            if (row is null)
            {
                row = NewRow(header, username, PathOf(username, header.Kind, RecordingDirectory.CastName(header.StreamId)), RecordingFiles.NewRecordingId());
                await catalog.InsertAsync(row, cancellationToken);
            }
            var (recording, stream) = (await files.OpenCastAsync(row, terminal, cancellationToken))!.Value;
            Register(recording, [stream]);
            return stream;
        }
        var path = row?.Path ?? PathOf(username, header.Kind, header.Kind == RecordingDirectory.Sftp
            ? RecordingDirectory.SftpPcapName(header.SessionId)
            : RecordingDirectory.PcapName(header.SessionId, header.Forward!.DestinationHost, (uint)header.Forward.DestinationPort));
        var capture = await OpenPcapAsync(header.SessionId, path, cancellationToken);
        if (Find(header.StreamId) is { } resumed)
        {
            return resumed;
        }
        if (row is null)
        {
            row = NewRow(header, username, path, capture.RecordingId);
            await catalog.InsertAsync(row, cancellationToken);
        }
        var added = await capture.OpenFlowAsync(row, header.Forward!, cancellationToken);
        Register(capture, [added]);
        return added;
    }

    private async Task<PcapRecording> OpenPcapAsync(string sessionId, string path, CancellationToken cancellationToken)
    {
        lock (_files)
        {
            if (_files.GetValueOrDefault(path) is PcapRecording open)
            {
                return open;
            }
        }
        var (recording, streams) = await files.OpenPcapAsync(sessionId, path, await catalog.FileRowsAsync(sessionId, path, cancellationToken), cancellationToken);
        Register(recording, streams);
        return recording;
    }

    /// <summary>Where a new recording goes; InvalidArgument when the user or an ID cannot name a file (see <see cref="RecordingDirectory"/>).</summary>
    private string PathOf(string username, string kind, string name)
    {
        try
        {
            return directory.RelativePath(username, kind, name);
        }
        catch (ArgumentException invalid)
        {
            throw RecordingFrames.Invalid(invalid.Message);
        }
    }

    private static RecordingRow NewRow(StreamHeader header, string username, string path, string recordingId) => new(
        header.StreamId, header.SessionId, username, header.Kind, RecordingKinds.FormatOf(header.Kind), recordingId, path,
        SizeBytes: 0, header.StartedAt, EndedAt: null, LastSequence: 0, Completed: false, DroppedBytes: 0, ResumeState: null);

    /// <summary>A header continuing a stream must be the same stream: same connection, kind and user.</summary>
    private static void Check(StreamHeader header, string username, string sessionId, string kind, string owner, bool completed)
    {
        if (sessionId != header.SessionId)
        {
            throw RecordingFrames.Invalid($"stream {header.StreamId} belongs to session {sessionId}, not {header.SessionId}");
        }
        if (kind != header.Kind)
        {
            throw RecordingFrames.Invalid($"stream {header.StreamId} is a {kind} recording, not {header.Kind}");
        }
        if (owner != username)
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, $"stream {header.StreamId} is recorded for another user"));
        }
        if (completed)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, $"the recording of stream {header.StreamId} is completed; it accepts nothing more"));
        }
    }

    private void Register(OpenRecording file, IEnumerable<RecordingStream> streams)
    {
        lock (_files)
        {
            _files[file.Path] = file;
            foreach (var stream in streams)
            {
                _streams[stream.StreamId] = stream;
            }
        }
    }

    private void Forget(RecordingStream stream)
    {
        lock (_files)
        {
            if (_streams.GetValueOrDefault(stream.StreamId) == stream)
            {
                _streams.Remove(stream.StreamId);
            }
        }
    }
}
