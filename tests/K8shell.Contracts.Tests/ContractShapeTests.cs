using Google.Protobuf.Reflection;
using K8shell.Contracts.Identity.V1;
using K8shell.Contracts.Provisioner.V1;
using K8shell.Contracts.Sessions.V1;
using K8shell.Contracts.Workspace.V1;

namespace K8shell.Contracts.Tests;

public sealed class ContractShapeTests
{
    public static TheoryData<string, string> Packages => new()
    {
        { IdentityReflection.Descriptor.Package, "identity" },
        { ProvisionerReflection.Descriptor.Package, "provisioner" },
        { SessionsReflection.Descriptor.Package, "sessions" },
        { WorkspaceReflection.Descriptor.Package, "workspace" },
    };

    [Theory]
    [MemberData(nameof(Packages))]
    public void Each_contract_lives_in_its_versioned_package(string package, string service) =>
        Assert.Equal($"k8shell.{service}.v1", package);

    [Fact]
    public void Enums_start_with_an_unspecified_or_default_zero_value()
    {
        // proto3 gives every unset enum field the zero value, so zero must never mean something alarming.
        var files = new[] { IdentityReflection.Descriptor, ProvisionerReflection.Descriptor, SessionsReflection.Descriptor, WorkspaceReflection.Descriptor };
        var enums = files.SelectMany(file => file.EnumTypes.Concat(file.MessageTypes.SelectMany(Nested)));
        foreach (var enumType in enums)
        {
            var zero = enumType.FindValueByNumber(0);
            Assert.True(zero is not null, $"{enumType.FullName} has no zero value");
            Assert.Matches("_(UNSPECIFIED|ANY|OUTPUT)$", zero!.Name);
        }

        static IEnumerable<EnumDescriptor> Nested(MessageDescriptor message) =>
            message.EnumTypes.Concat(message.NestedTypes.SelectMany(Nested));
    }
}
