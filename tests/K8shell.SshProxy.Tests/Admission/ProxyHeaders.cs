using System.Buffers.Binary;
using K8shell.SshProxy.Admission.ProxyProtocol;

namespace K8shell.SshProxy.Tests.Admission;

/// <summary>PROXY headers as a balancer writes them.</summary>
internal static class ProxyHeaders
{
    /// <summary>A version 2 header: signature, version and <paramref name="command"/>, family and transport, length, <paramref name="body"/>.</summary>
    public static byte[] V2(byte command, byte familyAndTransport, byte[] body)
    {
        var header = new byte[16 + body.Length];
        ProxySignature.Version2.CopyTo(header);
        header[12] = (byte)(0x20 | command);
        header[13] = familyAndTransport;
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(14), (ushort)body.Length);
        body.CopyTo(header, 16);
        return header;
    }
}
