package main

import (
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Config is every setting of Égide, read from the environment once at
// start. Each field names its variable and default; docs/operations.md
// lists them for operators.
type Config struct {
	DatabaseURL     string        // DATABASE_URL; required by serve; dev starts a private cluster when empty
	Listen          string        // EGIDE_LISTEN, default 127.0.0.1:8080
	KeyRingFile     string        // EGIDE_KEYRING_FILE: key ring file (mode 0600)
	KeyRing         string        // EGIDE_KEYRING: key ring inline (takes precedence over the file)
	DataDir         string        // EGIDE_DATA_DIR, default var (dev: cluster, keys, files)
	SessionIdle     time.Duration // EGIDE_SESSION_IDLE, default 30m
	SessionMax      time.Duration // EGIDE_SESSION_MAX, default 12h
	LogLevel        string        // EGIDE_LOG_LEVEL: debug, info (default), warn, error
	InsecureCookies bool          // EGIDE_INSECURE_COOKIES: drop the Secure flag (dev on loopback HTTP only)
	DemoDossiers    int           // EGIDE_DEMO_DOSSIERS: dossiers seeded by dev, default 36

	MigrateDatabaseURL      string        // EGIDE_MIGRATE_DATABASE_URL: owner connection for migrations (default DATABASE_URL)
	AuditSigningKeyFile     string        // EGIDE_AUDIT_SIGNING_KEY_FILE: Ed25519 key signing audit checkpoints (required by serve)
	AuditCheckpointDir      string        // EGIDE_AUDIT_CHECKPOINT_DIR: where signed checkpoints go, outside the database (required by serve)
	AuditPublicKey          string        // EGIDE_AUDIT_PUBLIC_KEY: for `audit verify` without the signing key
	AuditSealInterval       time.Duration // EGIDE_AUDIT_SEAL_INTERVAL, default 1s
	AuditCheckpointInterval time.Duration // EGIDE_AUDIT_CHECKPOINT_INTERVAL, default 1m

	// The evidence vault's blob store: fs (default) or s3.
	BlobBackend    string        // EGIDE_BLOB_BACKEND: fs (default) or s3
	BlobDir        string        // EGIDE_BLOB_DIR: fs store directory (required by serve with fs; dev: <data dir>/blobs)
	S3Endpoint     string        // EGIDE_S3_ENDPOINT: host:port (required with s3)
	S3Region       string        // EGIDE_S3_REGION (required with s3)
	S3Bucket       string        // EGIDE_S3_BUCKET (required with s3)
	S3AccessKey    string        // EGIDE_S3_ACCESS_KEY (required with s3)
	S3SecretKey    string        // EGIDE_S3_SECRET_KEY (required with s3)
	S3TLS          bool          // EGIDE_S3_TLS: https to the store, default true
	MaxUploadBytes int64         // EGIDE_MAX_UPLOAD_BYTES, default 2 GiB
	BlobGCGrace    time.Duration // EGIDE_BLOB_GC_GRACE, default 24h

	// Single sign-on with OpenID Connect: all four or none (SSO off).
	OIDCIssuer       string // EGIDE_OIDC_ISSUER: the provider's issuer URL (https unless loopback)
	OIDCClientID     string // EGIDE_OIDC_CLIENT_ID
	OIDCClientSecret string // EGIDE_OIDC_CLIENT_SECRET
	OIDCRedirectURL  string // EGIDE_OIDC_REDIRECT_URL: https://<host>/auth/oidc/callback
	OIDCRequireMFA   bool   // EGIDE_OIDC_REQUIRE_MFA: refuse ID tokens whose amr shows no second factor

	// Behind a reverse proxy, and sign-in limits.
	PublicURL           string         // EGIDE_PUBLIC_URL: the address users open; https sends HSTS on every response
	TrustedProxies      []netip.Prefix // EGIDE_TRUSTED_PROXIES: comma-separated CIDRs or addresses; default none (forwarding headers ignored)
	ForwardedHeader     string         // EGIDE_FORWARDED_HEADER: X-Forwarded-For (default) or Forwarded, the header the proxies set
	MaxConcurrentHashes int            // EGIDE_AUTH_MAX_CONCURRENT_HASHES: argon2id verifications at once, default max(2, GOMAXPROCS)
}

// LoadConfig reads the configuration; errors name the variable at fault.
func LoadConfig(getenv func(string) string) (Config, error) {
	c := Config{
		DatabaseURL: getenv("DATABASE_URL"),
		Listen:      or(getenv("EGIDE_LISTEN"), "127.0.0.1:8080"),
		KeyRingFile: getenv("EGIDE_KEYRING_FILE"),
		KeyRing:     getenv("EGIDE_KEYRING"),
		DataDir:     or(getenv("EGIDE_DATA_DIR"), "var"),
		LogLevel:    or(getenv("EGIDE_LOG_LEVEL"), "info"),
	}
	var err error
	if c.SessionIdle, err = duration(getenv, "EGIDE_SESSION_IDLE", 30*time.Minute); err != nil {
		return c, err
	}
	if c.SessionMax, err = duration(getenv, "EGIDE_SESSION_MAX", 12*time.Hour); err != nil {
		return c, err
	}
	c.MigrateDatabaseURL = or(getenv("EGIDE_MIGRATE_DATABASE_URL"), c.DatabaseURL)
	c.AuditSigningKeyFile = getenv("EGIDE_AUDIT_SIGNING_KEY_FILE")
	c.AuditCheckpointDir = getenv("EGIDE_AUDIT_CHECKPOINT_DIR")
	c.AuditPublicKey = getenv("EGIDE_AUDIT_PUBLIC_KEY")
	if c.AuditSealInterval, err = duration(getenv, "EGIDE_AUDIT_SEAL_INTERVAL", time.Second); err != nil {
		return c, err
	}
	if c.AuditCheckpointInterval, err = duration(getenv, "EGIDE_AUDIT_CHECKPOINT_INTERVAL", time.Minute); err != nil {
		return c, err
	}
	if c.SessionIdle > c.SessionMax {
		return c, fmt.Errorf("EGIDE_SESSION_IDLE (%s) must not exceed EGIDE_SESSION_MAX (%s)", c.SessionIdle, c.SessionMax)
	}
	if v := getenv("EGIDE_INSECURE_COOKIES"); v != "" {
		if c.InsecureCookies, err = strconv.ParseBool(v); err != nil {
			return c, fmt.Errorf("EGIDE_INSECURE_COOKIES: want true or false")
		}
	}
	c.DemoDossiers = 36
	if v := getenv("EGIDE_DEMO_DOSSIERS"); v != "" {
		if c.DemoDossiers, err = strconv.Atoi(v); err != nil || c.DemoDossiers < 1 || c.DemoDossiers > 100000 {
			return c, fmt.Errorf("EGIDE_DEMO_DOSSIERS: want a number between 1 and 100000")
		}
	}
	if _, _, err := net.SplitHostPort(c.Listen); err != nil {
		return c, fmt.Errorf("EGIDE_LISTEN: want host:port, e.g. 127.0.0.1:8080")
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return c, fmt.Errorf("EGIDE_LOG_LEVEL: want debug, info, warn or error")
	}
	if err := c.loadOIDC(getenv); err != nil {
		return c, err
	}
	if err := c.loadBlob(getenv); err != nil {
		return c, err
	}
	if err := c.loadProxy(getenv); err != nil {
		return c, err
	}
	return c, nil
}

// loadProxy reads the public address, the trusted reverse proxies and the
// bound on concurrent password verifications.
func (c *Config) loadProxy(getenv func(string) string) error {
	if c.PublicURL = strings.TrimSpace(getenv("EGIDE_PUBLIC_URL")); c.PublicURL != "" {
		u, err := url.Parse(c.PublicURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil ||
			u.RawQuery != "" || u.Fragment != "" {
			return fmt.Errorf("EGIDE_PUBLIC_URL: want the absolute address users open, such as https://egide.example.org")
		}
		c.PublicURL = u.String() // the scheme in lower case
	}
	for _, item := range strings.Split(getenv("EGIDE_TRUSTED_PROXIES"), ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		var p netip.Prefix
		if strings.Contains(item, "/") {
			pp, err := netip.ParsePrefix(item)
			if err != nil {
				return fmt.Errorf("EGIDE_TRUSTED_PROXIES: %q is not a CIDR such as 10.0.0.0/8", item)
			}
			p = pp.Masked()
		} else {
			a, err := netip.ParseAddr(item)
			if err != nil || a.Zone() != "" {
				return fmt.Errorf("EGIDE_TRUSTED_PROXIES: %q is not an IP address or a CIDR", item)
			}
			a = a.Unmap()
			p = netip.PrefixFrom(a, a.BitLen())
		}
		c.TrustedProxies = append(c.TrustedProxies, p)
	}
	switch h := strings.TrimSpace(getenv("EGIDE_FORWARDED_HEADER")); {
	case h == "" || strings.EqualFold(h, "X-Forwarded-For"):
		c.ForwardedHeader = "X-Forwarded-For"
	case strings.EqualFold(h, "Forwarded"):
		c.ForwardedHeader = "Forwarded"
	default:
		return fmt.Errorf("EGIDE_FORWARDED_HEADER: want X-Forwarded-For or Forwarded")
	}
	if v := strings.TrimSpace(getenv("EGIDE_AUTH_MAX_CONCURRENT_HASHES")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1024 {
			return fmt.Errorf("EGIDE_AUTH_MAX_CONCURRENT_HASHES: want a number between 1 and 1024 (each verification holds 64 MiB)")
		}
		c.MaxConcurrentHashes = n
	}
	return nil
}

// hsts reports whether responses carry Strict-Transport-Security.
func (c Config) hsts() bool { return strings.HasPrefix(c.PublicURL, "https://") }

// loadBlob reads the evidence vault's settings.
func (c *Config) loadBlob(getenv func(string) string) error {
	c.BlobBackend = or(strings.TrimSpace(getenv("EGIDE_BLOB_BACKEND")), "fs")
	c.BlobDir = strings.TrimSpace(getenv("EGIDE_BLOB_DIR"))
	var err error
	if c.BlobGCGrace, err = duration(getenv, "EGIDE_BLOB_GC_GRACE", 24*time.Hour); err != nil {
		return err
	}
	c.MaxUploadBytes = 2 << 30
	if v := getenv("EGIDE_MAX_UPLOAD_BYTES"); v != "" {
		if c.MaxUploadBytes, err = strconv.ParseInt(v, 10, 64); err != nil || c.MaxUploadBytes < 1 {
			return fmt.Errorf("EGIDE_MAX_UPLOAD_BYTES: want a positive number of bytes, e.g. 2147483648")
		}
	}
	switch c.BlobBackend {
	case "fs":
		return nil
	case "s3":
	default:
		return fmt.Errorf("EGIDE_BLOB_BACKEND: want fs or s3")
	}
	for _, v := range []struct {
		name string
		dst  *string
	}{
		{"EGIDE_S3_ENDPOINT", &c.S3Endpoint},
		{"EGIDE_S3_REGION", &c.S3Region},
		{"EGIDE_S3_BUCKET", &c.S3Bucket},
		{"EGIDE_S3_ACCESS_KEY", &c.S3AccessKey},
		{"EGIDE_S3_SECRET_KEY", &c.S3SecretKey},
	} {
		if *v.dst = strings.TrimSpace(getenv(v.name)); *v.dst == "" {
			return fmt.Errorf("%s: required when EGIDE_BLOB_BACKEND=s3", v.name)
		}
	}
	if strings.Contains(c.S3Endpoint, "://") {
		return fmt.Errorf("EGIDE_S3_ENDPOINT: want host:port without a scheme (EGIDE_S3_TLS selects https)")
	}
	c.S3TLS = true
	if v := getenv("EGIDE_S3_TLS"); v != "" {
		if c.S3TLS, err = strconv.ParseBool(v); err != nil {
			return fmt.Errorf("EGIDE_S3_TLS: want true or false")
		}
	}
	return nil
}

// loadOIDC reads the single sign-on settings: all of them or none.
func (c *Config) loadOIDC(getenv func(string) string) error {
	vars := []struct {
		name string
		dst  *string
	}{
		{"EGIDE_OIDC_ISSUER", &c.OIDCIssuer},
		{"EGIDE_OIDC_CLIENT_ID", &c.OIDCClientID},
		{"EGIDE_OIDC_CLIENT_SECRET", &c.OIDCClientSecret},
		{"EGIDE_OIDC_REDIRECT_URL", &c.OIDCRedirectURL},
	}
	var set, unset []string
	for _, v := range vars {
		*v.dst = strings.TrimSpace(getenv(v.name))
		if *v.dst == "" {
			unset = append(unset, v.name)
		} else {
			set = append(set, v.name)
		}
	}
	if v := getenv("EGIDE_OIDC_REQUIRE_MFA"); v != "" {
		var err error
		if c.OIDCRequireMFA, err = strconv.ParseBool(v); err != nil {
			return fmt.Errorf("EGIDE_OIDC_REQUIRE_MFA: want true or false")
		}
	}
	if len(set) == 0 {
		if c.OIDCRequireMFA {
			return fmt.Errorf("EGIDE_OIDC_REQUIRE_MFA: single sign-on is off (set EGIDE_OIDC_ISSUER and the others)")
		}
		return nil
	}
	if len(unset) > 0 {
		return fmt.Errorf("%s: required when %s is set (single sign-on needs all four EGIDE_OIDC_* settings)",
			unset[0], strings.Join(set, ", "))
	}
	if err := checkOIDCURL(c.OIDCIssuer); err != nil {
		return fmt.Errorf("EGIDE_OIDC_ISSUER: %w", err)
	}
	if err := checkOIDCURL(c.OIDCRedirectURL); err != nil {
		return fmt.Errorf("EGIDE_OIDC_REDIRECT_URL: %w", err)
	}
	if u, _ := url.Parse(c.OIDCRedirectURL); u.Path != "/auth/oidc/callback" || u.RawQuery != "" {
		return fmt.Errorf("EGIDE_OIDC_REDIRECT_URL: want this instance's callback, https://<host>/auth/oidc/callback")
	}
	return nil
}

// checkOIDCURL accepts an absolute https URL, or http on a loopback host
// (a provider or an instance on the same machine, in tests and dev).
func checkOIDCURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil || u.Fragment != "" {
		return fmt.Errorf("want an absolute URL such as https://id.example.org/realms/ngo")
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		host := u.Hostname()
		if ip := net.ParseIP(host); host == "localhost" || (ip != nil && ip.IsLoopback()) {
			return nil
		}
	}
	return fmt.Errorf("want https (plain http only on a loopback address)")
}

// loopback reports whether the listen address only accepts local clients.
func (c Config) loopback() bool {
	host, _, _ := net.SplitHostPort(c.Listen)
	ip := net.ParseIP(host)
	return host == "localhost" || (ip != nil && ip.IsLoopback())
}

func or(v, def string) string {
	if strings.TrimSpace(v) == "" {
		return def
	}
	return v
}

func duration(getenv func(string) string, name string, def time.Duration) (time.Duration, error) {
	v := getenv(name)
	if v == "" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%s: want a positive duration such as 30m or 12h", name)
	}
	return d, nil
}
