using System.Buffers.Text;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace K8shell.Sessions.Recording;

/// <summary>
/// Creates recording files with their writers, or reopens them where their last checkpoint left them: the file cut
/// back to the saved length (a torn record, frames never saved as written go) and the writer continued from the
/// saved state. A file whose streams never reached a checkpoint holds nothing the catalog vouches for and starts over.
/// </summary>
internal sealed class RecordingFiles(RecordingDirectory directory, RecordingCatalog catalog, IOptions<RecordingOptions> options, TimeProvider time,
    ILogger<RecordingFiles> logger)
{
    private readonly Checkpoints _checkpoints = new(catalog, time, options.Value.CheckpointInterval, logger);

    /// <summary>A new recording ID: 128 random bits, URL-safe, naming one file in the download URL.</summary>
    public static string NewRecordingId() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));

    /// <summary>
    /// The terminal recording of <paramref name="row"/>, continued from its checkpoint, or started with
    /// <paramref name="header"/> when it has none; null when it has none and no header is given.
    /// </summary>
    public async Task<(CastRecording Recording, RecordingStream Stream)?> OpenCastAsync(RecordingRow row, CastHeader? header, CancellationToken cancellationToken)
    {
        var saved = ResumeState.Parse(row.ResumeState);
        if (saved is not null)
        {
            var writerState = saved.Cast ?? throw new InvalidDataException($"The resume state of stream {row.StreamId} is not a terminal's.");
            var file = directory.OpenForAppend(row.Path, saved.Length, time);
            var recording = new CastRecording(file, CastWriter.Resume(file, writerState), row, _checkpoints);
            return (recording, recording.Add(row, isNew: false));
        }
        if (header is null)
        {
            return null;
        }
        StartOver(row.Path);
        var created = directory.Create(row.Path, time);
        try
        {
            var recording = new CastRecording(created, await CastWriter.StartAsync(created, header, cancellationToken), row, _checkpoints);
            return (recording, recording.Add(row, isNew: true));
        }
        catch
        {
            await created.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// A connection's capture to one destination (<paramref name="rows"/>: its streams in the catalog), continued from the
    /// newest checkpoint any of them saved, with the flows open then; started anew when none did.
    /// </summary>
    public async Task<(PcapRecording Recording, List<RecordingStream> Streams)> OpenPcapAsync(
        string sessionId, string path, IReadOnlyList<RecordingRow> rows, CancellationToken cancellationToken)
    {
        var recordingId = rows.Count > 0 ? rows[0].RecordingId : NewRecordingId();
        var saved = rows.Select(row => (Row: row, State: ResumeState.Parse(row.ResumeState))).ToList();
        var newest = saved.Select(entry => entry.State).Where(state => state?.Pcap is not null).MaxBy(state => state!.Length);
        if (newest is null)
        {
            StartOver(path);
            var created = directory.Create(path, time);
            try
            {
                return (new PcapRecording(created, await PcapWriter.StartAsync(created, cancellationToken), path, recordingId, sessionId, _checkpoints), []);
            }
            catch
            {
                await created.DisposeAsync();
                throw;
            }
        }
        var file = directory.OpenForAppend(path, newest.Length, time);
        var recording = new PcapRecording(file, PcapWriter.Resume(file, newest.Pcap!), path, recordingId, sessionId, _checkpoints);
        try
        {
            var streams = new List<RecordingStream>();
            // Flows saved with the newest checkpoint; any other (never saved open) gets a new flow if its stream comes back.
            foreach (var (row, state) in saved)
            {
                if (!row.Completed && state?.Flow is { } flow && state.Length == newest.Length)
                {
                    streams.Add(await recording.ResumeFlowAsync(row, flow, cancellationToken));
                }
            }
            return (recording, streams);
        }
        catch
        {
            await file.DisposeAsync();
            throw;
        }
    }

    /// <summary>A file no checkpoint vouches for (a start cut short by a crash) is replaced, not appended to.</summary>
    private void StartOver(string path)
    {
        var full = directory.FullPath(path);
        if (File.Exists(full))
        {
            logger.LogWarning("Recording {Path} never reached a checkpoint; it starts over", path);
            File.Delete(full);
        }
    }
}
