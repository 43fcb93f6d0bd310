// Package sign signs and verifies artifacts the way cosign does, on any
// artifact.Store: a registry repository or an OCI image layout.
//
// Signatures are written as cosign v2 writes them (a sha256-<hex>.sig image,
// one simple-signing layer per signature, cosign's annotations), so the stock
// `cosign verify --key` accepts them. Verification reads those and the
// Sigstore bundles cosign v3 attaches as OCI 1.1 referrers.
package sign

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/sigstore/cosign/v2/pkg/cosign"
	cbundle "github.com/sigstore/cosign/v2/pkg/cosign/bundle"
	cremote "github.com/sigstore/cosign/v2/pkg/cosign/remote"
	"github.com/sigstore/cosign/v2/pkg/oci"
	"github.com/sigstore/cosign/v2/pkg/oci/mutate"
	"github.com/sigstore/cosign/v2/pkg/oci/static"
	rekor "github.com/sigstore/rekor/pkg/client"
	"github.com/sigstore/rekor/pkg/generated/client"
	"github.com/sigstore/rekor/pkg/generated/models"
	sigopts "github.com/sigstore/sigstore/pkg/signature/options"
	sigpayload "github.com/sigstore/sigstore/pkg/signature/payload"

	"github.com/mlc-project/mlc/artifact"
)

// LayoutIdentity is the docker-reference a signature claims for an artifact
// in an OCI image layout, which has no repository name. Verifiers (mlc and
// cosign) check the signed digest, not this claim.
const LayoutIdentity = "localhost/oci-layout"

// TlogOpts say whether to record the signature in a Rekor transparency log.
type TlogOpts struct {
	Upload   bool
	RekorURL string // DefaultRekorURL when empty
}

// Outcome says what Sign did.
type Outcome struct {
	// Where the signature is: the sha256-<hex>.sig tag or a bundle referrer.
	Where string
	// AlreadySigned is true when an equal signature by the same key was
	// there: nothing was written.
	AlreadySigned bool
}

// Sign signs the manifest digest names in st and attaches the signature
// as cosign v2 does. Signing twice with the same key writes nothing new.
func Sign(ctx context.Context, st artifact.Store, digest v1.Hash, s *Signer, tlog TlogOpts) (Outcome, error) {
	out := Outcome{Where: AttachedTag(digest, SignatureSuffix)}
	if _, _, err := st.Manifest(ctx, digest); err != nil {
		return out, fmt.Errorf("signing %s@%s: %w", st.Location(), digest, err)
	}
	payload, err := simpleSigningPayload(st, digest)
	if err != nil {
		return out, err
	}
	sig, err := s.sign(ctx, payload, tlog)
	if err != nil {
		return out, err
	}
	existing, err := readAttached(ctx, st, digest, SignatureSuffix)
	if err != nil {
		return out, err
	}
	if dup, err := cremote.NewDupeDetector(s.sv).Find(existing, sig); err != nil {
		return out, err
	} else if dup != nil {
		out.AlreadySigned = true
		return out, nil
	}
	// No creation timestamp: the signature image depends only on its layers.
	img, err := mutate.AppendSignatures(existing, false, sig)
	if err != nil {
		return out, err
	}
	return out, writeAttached(ctx, st, digest, SignatureSuffix, img)
}

// simpleSigningPayload is the payload cosign signs for an image: the
// "atomic container signature" JSON naming the repository and digest.
func simpleSigningPayload(st artifact.Store, digest v1.Hash) ([]byte, error) {
	d, err := name.NewDigest(identity(st) + "@" + digest.String())
	if err != nil {
		return nil, fmt.Errorf("signature identity for %s: %w", st.Location(), err)
	}
	return sigpayload.Cosign{Image: d}.MarshalJSON()
}

func identity(st artifact.Store) string {
	loc := st.Location()
	if strings.HasPrefix(loc, "oci:") {
		return LayoutIdentity
	}
	return loc
}

// sign signs payload into a cosign signature layer: signature annotation,
// the Fulcio certificate chain when keyless, the Rekor bundle when uploaded.
func (s *Signer) sign(ctx context.Context, payload []byte, tlog TlogOpts) (oci.Signature, error) {
	raw, err := s.sv.SignMessage(bytes.NewReader(payload), sigopts.WithContext(ctx))
	if err != nil {
		return nil, fmt.Errorf("signing: %w", err)
	}
	var opts []static.Option
	if s.sv.Cert != nil {
		opts = append(opts, static.WithCertChain(s.sv.Cert, s.sv.Chain))
	}
	if tlog.Upload {
		entry, err := s.uploadToRekor(ctx, tlog.RekorURL, func(c *client.Rekor, signer []byte) (*models.LogEntryAnon, error) {
			sum := sha256.New()
			sum.Write(payload)
			return cosign.TLogUpload(ctx, c, raw, sum, signer)
		})
		if err != nil {
			return nil, err
		}
		opts = append(opts, static.WithBundle(cbundle.EntryToBundle(entry)))
	}
	return static.NewSignature(payload, base64.StdEncoding.EncodeToString(raw), opts...)
}

// uploadToRekor records a signature in the transparency log with upload,
// given the signer's certificate or public key (PEM).
func (s *Signer) uploadToRekor(ctx context.Context, url string, upload func(*client.Rekor, []byte) (*models.LogEntryAnon, error)) (*models.LogEntryAnon, error) {
	url = orDefault(url, DefaultRekorURL)
	c, err := rekor.GetRekorClient(url, rekor.WithUserAgent(userAgent))
	if err != nil {
		return nil, fmt.Errorf("rekor client for %s: %w", url, err)
	}
	signer, err := s.signerPEM()
	if err != nil {
		return nil, err
	}
	entry, err := upload(c, signer)
	if err != nil {
		return nil, fmt.Errorf("uploading to the transparency log %s (use --tlog-upload=false to sign offline): %w", url, err)
	}
	return entry, nil
}
