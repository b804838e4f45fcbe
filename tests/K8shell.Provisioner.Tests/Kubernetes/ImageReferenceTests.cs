using K8shell.Provisioner.Kubernetes;

namespace K8shell.Provisioner.Tests.Kubernetes;

/// <summary>Relative images get the default registry (reference §7.4); images that name a registry keep theirs.</summary>
public sealed class ImageReferenceTests
{
    [Theory]
    [InlineData("debian:12", "registry.example/debian:12")]
    [InlineData("library/debian:12", "registry.example/library/debian:12")]
    [InlineData("k8shell/k8shelld@sha256:abc", "registry.example/k8shell/k8shelld@sha256:abc")]
    [InlineData("ghcr.io/acme/dev:1", "ghcr.io/acme/dev:1")]
    [InlineData("registry:5000/dev", "registry:5000/dev")]
    [InlineData("localhost/dev", "localhost/dev")]
    public void Relative_images_get_the_default_registry(string image, string resolved) =>
        Assert.Equal(resolved, ImageReference.Resolve(image, "registry.example/"));

    [Fact]
    public void Without_a_default_registry_images_stay_as_they_are() =>
        Assert.Equal("debian:12", ImageReference.Resolve("debian:12", ""));

    [Theory]
    [InlineData("k8shell/k8shelld:0.1.0", "0.1.0")]
    [InlineData("registry:5000/k8shelld", "")]
    [InlineData("k8shelld@sha256:abc", "")]
    public void The_tag_is_what_follows_the_last_colon_of_the_last_segment(string image, string tag) =>
        Assert.Equal(tag, ImageReference.Tag(image));
}
