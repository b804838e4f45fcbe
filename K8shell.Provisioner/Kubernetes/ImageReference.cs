namespace K8shell.Provisioner.Kubernetes;

/// <summary>Relative images get the default registry (reference §7.4): <c>debian:12</c> → <c>registry.example/debian:12</c>.</summary>
internal static class ImageReference
{
    /// <summary>
    /// An image whose first path segment contains '.' or ':' (or is <c>localhost</c>) names its registry and
    /// is kept; any other gets <paramref name="defaultRegistry"/> in front, unless that is empty.
    /// </summary>
    public static string Resolve(string image, string defaultRegistry)
    {
        if (defaultRegistry.Length == 0)
        {
            return image;
        }
        var slash = image.IndexOf('/');
        var first = slash < 0 ? "" : image[..slash];
        return first.Contains('.') || first.Contains(':') || first == "localhost"
            ? image
            : $"{defaultRegistry.TrimEnd('/')}/{image}";
    }

    /// <summary>The tag of an image (<c>k8shelld:0.1.0</c> → <c>0.1.0</c>), or "" for none or a digest.</summary>
    public static string Tag(string image)
    {
        if (image.Contains('@'))
        {
            return "";
        }
        var colon = image.LastIndexOf(':');
        return colon > image.LastIndexOf('/') ? image[(colon + 1)..] : "";
    }
}
