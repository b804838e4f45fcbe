using System.Buffers;

namespace K8shell.Sessions.Recording;

/// <summary>
/// <c>GET /api/recordings/{recordingId}</c>: the file of a recording, as far as its last checkpoint (a recording being
/// written is served up to its last complete record on disk). The path comes from the catalog, never from the request.
/// </summary>
internal static class RecordingDownload
{
    public const string Route = "/api/recordings/{recordingId}";

    public static IEndpointConventionBuilder MapRecordingDownload(this IEndpointRouteBuilder app) =>
        app.MapGet(Route, async (string recordingId, RecordingCatalog catalog, RecordingDirectory directory, CancellationToken cancellationToken) =>
        {
            var row = await catalog.FindFileAsync(recordingId, cancellationToken);
            if (row is null)
            {
                return ErrorJson.Result(StatusCodes.Status404NotFound, $"no recording {recordingId}");
            }
            FileStream file;
            try
            {
                file = new FileStream(directory.FullPath(row.Path), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            }
            catch (Exception failure) when (failure is FileNotFoundException or DirectoryNotFoundException or ArgumentException)
            {
                return ErrorJson.Result(StatusCodes.Status404NotFound, $"the file of recording {recordingId} is gone");
            }
            var length = Math.Min(row.SizeBytes, file.Length);
            return Results.Stream(async body =>
            {
                await using (file)
                {
                    await CopyAsync(file, body, length, cancellationToken);
                }
            }, RecordingKinds.ContentTypeOf(row.Format), Path.GetFileName(row.Path));
        }).RequireAuthorization().AddEndpointFilter<StoreUnavailableFilter>();

    private static async Task CopyAsync(Stream from, Stream to, long length, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(81920);
        try
        {
            for (long left = length; left > 0;)
            {
                var read = await from.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, left)), cancellationToken);
                if (read == 0)
                {
                    return;
                }
                await to.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                left -= read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
