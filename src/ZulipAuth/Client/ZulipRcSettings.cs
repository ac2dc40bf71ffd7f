namespace ZulipAuth.Client
{
    /// <summary>The [api] settings of a zuliprc (or of the ZULIP_* variables) as python-zulip-api reads them.</summary>
    internal sealed class ZulipRcSettings
    {
        public ZulipRcSettings(string email, string key, string site)
        {
            Email = email;
            Key = key;
            Site = site;
        }

        public string Email { get; }

        public string Key { get; }

        /// <summary>As written, before normalisation.</summary>
        public string Site { get; }

        /// <summary>insecure: null when not set.</summary>
        public bool? Insecure { get; set; }

        /// <summary>cert_bundle as a full path.</summary>
        public string? CertificateBundle { get; set; }

        /// <summary>client_cert as a full path.</summary>
        public string? ClientCertificate { get; set; }

        /// <summary>client_cert_key as a full path.</summary>
        public string? ClientCertificateKey { get; set; }
    }
}
