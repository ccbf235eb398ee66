// Renders a QR code in the browser (no network): used for the otpauth:// URI of TOTP enrolment.
import { useEffect, useState } from 'react';
import QRCode from 'qrcode';

export function QrCode({ value, alt }: { value: string; alt: string }) {
  const [src, setSrc] = useState<string | null>(null);
  useEffect(() => {
    let cancelled = false;
    QRCode.toDataURL(value, { errorCorrectionLevel: 'M', margin: 2, width: 200 })
      .then((url) => {
        if (!cancelled) setSrc(url);
      })
      .catch(() => {
        if (!cancelled) setSrc(null);
      });
    return () => {
      cancelled = true;
    };
  }, [value]);
  if (!src) return <div className="qr-placeholder" />;
  return <img className="qr" src={src} alt={alt} width={200} height={200} data-testid="mfa-qr" />;
}
