using System.Text;

namespace K8shell.Provisioner.Kubernetes;

/// <summary>
/// Text made fit for a label value (at most 63 of letters, digits, '-', '_', '.', alphanumeric at both
/// ends): other characters become '-'. Exact values (the organization, the user string) go into annotations.
/// </summary>
internal static class LabelValue
{
    public static string Of(string text)
    {
        var value = new StringBuilder(Math.Min(text.Length, 63));
        foreach (var c in text)
        {
            if (value.Length == 63)
            {
                break;
            }
            value.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '-');
        }
        return value.ToString().Trim('-', '_', '.');
    }
}
