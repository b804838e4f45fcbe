using Grpc.Core;
using Grpc.Net.Client;

namespace K8shell.Testing;

/// <summary>gRPC channels to services under test, over plaintext HTTP/2 as on loopback.</summary>
public static class GrpcChannels
{
    /// <summary>A channel whose every call carries <c>authorization: Bearer <paramref name="token"/></c> (none when null).</summary>
    public static GrpcChannel WithBearer(Uri address, string? token) => GrpcChannel.ForAddress(address, new GrpcChannelOptions
    {
        Credentials = token is null ? ChannelCredentials.Insecure : ChannelCredentials.Create(ChannelCredentials.Insecure,
            CallCredentials.FromInterceptor((_, metadata) =>
            {
                metadata.Add("authorization", $"Bearer {token}");
                return Task.CompletedTask;
            })),
        // Loopback without TLS: the services' bearer checks are what the tests exercise.
        UnsafeUseInsecureChannelCallCredentials = true,
        MaxReceiveMessageSize = 4 * 1024 * 1024,
    });
}
