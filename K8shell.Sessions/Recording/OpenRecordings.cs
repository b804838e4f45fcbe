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
internal sealed class OpenRecordings(RecordingDirectory directory, RecordingCatalog catalog, RecordingFiles files, ILogger<OpenRecordings> logger)
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

    /// <summary>A stream's call completed it: a terminal's file is closed, a capture's stays open for the connection's other forwards.</summary>
    public async Task CompletedAsync(RecordingStream stream)
    {
        await _lifecycle.WaitAsync();
        try
        {
            if (stream.File is CastRecording)
            {
                await CloseAsync(stream.File);
            }
            else
            {
                Forget(stream);
            }
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>Writing the file failed: it is closed without saving, and its streams resume from their last checkpoint.</summary>
    public async Task FailedAsync(OpenRecording file, Status status)
    {
        await _lifecycle.WaitAsync();
        try
        {
            Remove(file, status);
            await file.FailAsync(status);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>
    /// Ends every recording of a connection: calls still writing them are stopped, every stream not completed is
    /// ended in its file (reopened if need be) and saved as completed, and the files are closed. How many it ended.
    /// </summary>
    public async Task<int> EndSessionAsync(string sessionId, DateTimeOffset endedAt, CancellationToken cancellationToken)
    {
        List<RecordingStream> writing;
        lock (_files)
        {
            writing = [.. _streams.Values.Where(stream => stream.SessionId == sessionId)];
        }
        var held = new List<RecordingStream>();
        try
        {
            foreach (var stream in writing)
            {
                stream.StopCall(new Status(StatusCode.Aborted, $"the recordings of session {sessionId} were ended"));
                await stream.Calls.WaitAsync(cancellationToken);
                held.Add(stream);
            }
            await _lifecycle.WaitAsync(cancellationToken);
            try
            {
                return await EndOpenedAsync(sessionId, endedAt, cancellationToken);
            }
            finally
            {
                _lifecycle.Release();
            }
        }
        finally
        {
            held.ForEach(stream => stream.Calls.Release());
        }
    }

    /// <summary>Saves and closes the files no call has written for <paramref name="idle"/>; their streams stay resumable.</summary>
    public async Task CloseIdleAsync(TimeSpan idle, CancellationToken cancellationToken)
    {
        await _lifecycle.WaitAsync(cancellationToken);
        try
        {
            List<OpenRecording> quiet;
            lock (_files)
            {
                quiet = [.. _files.Values.Where(file => file.IdleFor(idle))];
            }
            foreach (var file in quiet)
            {
                logger.LogInformation("Closing recording {Path}: no call for {Idle}", file.Path, idle);
                await CloseAsync(file);
            }
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>Sessions is stopping: calls still streaming end now, told to resume later (Unavailable).</summary>
    public void StopCalls()
    {
        List<RecordingStream> streams;
        lock (_files)
        {
            streams = [.. _streams.Values];
        }
        streams.ForEach(stream => stream.StopCall(new Status(StatusCode.Unavailable, "Sessions is stopping; resume the stream")));
    }

    /// <summary>Sessions is stopping: every file is saved and closed, its streams resumable by the next Sessions.</summary>
    public async Task CloseAllAsync(CancellationToken cancellationToken)
    {
        StopCalls();
        await _lifecycle.WaitAsync(cancellationToken);
        try
        {
            List<OpenRecording> open;
            lock (_files)
            {
                open = [.. _files.Values];
            }
            foreach (var file in open)
            {
                await CloseAsync(file);
            }
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    private async Task<int> EndOpenedAsync(string sessionId, DateTimeOffset endedAt, CancellationToken cancellationToken)
    {
        // Files of the connection closed meanwhile (idle, a restart) are reopened to end them properly: a FIN for each
        // forward, a terminal's last cut character. Files that cannot be (gone, damaged) are only marked completed.
        foreach (var row in await catalog.IncompleteAsync(sessionId, cancellationToken))
        {
            if (Find(row.StreamId) is null)
            {
                try
                {
                    await ReopenAsync(row, cancellationToken);
                }
                catch (Exception failure) when (failure is IOException or InvalidDataException or UnauthorizedAccessException)
                {
                    logger.LogWarning("Recording {Path} of stream {StreamId} cannot be reopened to end it: {Reason}", row.Path, row.StreamId, failure.Message);
                }
            }
        }
        List<OpenRecording> open;
        lock (_files)
        {
            open = [.. _files.Values.Where(file => file.SessionId == sessionId)];
        }
        var ended = 0;
        foreach (var file in open)
        {
            Remove(file, new Status(StatusCode.Aborted, $"the recordings of session {sessionId} were ended"));
            ended += await file.EndAsync(endedAt, cancellationToken);
        }
        var left = await catalog.IncompleteAsync(sessionId, cancellationToken);
        await catalog.CompleteAsync(left.Select(row => row.StreamId), endedAt, cancellationToken);
        return ended + left.Count;
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

    /// <summary>Reopens the file of a stream not open here, with every stream of that file that can continue.</summary>
    private async Task ReopenAsync(RecordingRow row, CancellationToken cancellationToken)
    {
        if (row.Format == RecordingKinds.Asciinema)
        {
            if (await files.OpenCastAsync(row, header: null, cancellationToken) is var (recording, stream))
            {
                Register(recording, [stream]);
            }
            return;
        }
        await OpenPcapAsync(row.SessionId, row.Path, cancellationToken);
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

    /// <summary>Closes a file (saving where it stands) and forgets it; the caller holds the lifecycle lock.</summary>
    private async Task CloseAsync(OpenRecording file)
    {
        Remove(file, new Status(StatusCode.Unavailable, $"the recording file {file.Path} was closed; resume the stream"));
        try
        {
            await file.CloseAsync(CancellationToken.None);
        }
        catch (Exception failure) when (failure is IOException or System.Data.Common.DbException)
        {
            logger.LogWarning("Recording {Path} closed without saving where it stands (its streams resume from the last checkpoint): {Reason}",
                file.Path, failure.Message);
        }
    }

    private void Remove(OpenRecording file, Status stopCalls)
    {
        List<RecordingStream> streams;
        lock (_files)
        {
            _files.Remove(file.Path);
            streams = [.. _streams.Values.Where(stream => stream.File == file)];
            streams.ForEach(Forget);
        }
        foreach (var stream in streams)
        {
            stream.Removed = true;
            stream.StopCall(stopCalls);
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
