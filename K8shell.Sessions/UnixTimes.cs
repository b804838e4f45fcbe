using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace K8shell.Sessions;

/// <summary>The store keeps times as unix milliseconds; the contract speaks protobuf Timestamps, which callers may send malformed.</summary>
internal static class UnixTimes
{
    /// <summary>Milliseconds of <paramref name="timestamp"/>; InvalidArgument naming <paramref name="field"/> when it is no valid time.</summary>
    public static long Checked(Timestamp timestamp, string field) => CheckedTime(timestamp, field).ToUnixTimeMilliseconds();

    /// <summary><paramref name="timestamp"/> as a time; InvalidArgument naming <paramref name="field"/> when it is none (nanos out of range, year past 9999).</summary>
    public static DateTimeOffset CheckedTime(Timestamp timestamp, string field)
    {
        try
        {
            return timestamp.ToDateTimeOffset();
        }
        catch (InvalidOperationException)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument,
                $"{field} is not a valid time (seconds {timestamp.Seconds}, nanos {timestamp.Nanos})"));
        }
    }

    /// <summary>ISO 8601 in UTC, for messages: <c>2026-11-24T08:00:00.5Z</c>.</summary>
    public static string Format(long milliseconds) =>
        DateTimeOffset.FromUnixTimeMilliseconds(milliseconds).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFF'Z'", CultureInfo.InvariantCulture);

    public static Timestamp ToTimestamp(long milliseconds) => Timestamp.FromDateTimeOffset(DateTimeOffset.FromUnixTimeMilliseconds(milliseconds));
}
