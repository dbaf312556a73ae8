import { describe, expect, it } from "vitest";
import { sshKeyKind, tlsKeyKind } from "./key-kind.js";

describe("key kinds", () => {
  it("names TLS keys from key_type and key_bits", () => {
    expect(tlsKeyKind("rsa", 2048)).toBe("rsa-2048");
    expect(tlsKeyKind("ec", 256)).toBe("ecdsa-p256");
    expect(tlsKeyKind("ec", 384)).toBe("ecdsa-p384");
    expect(tlsKeyKind("ed25519", 256)).toBe("ed25519");
    expect(tlsKeyKind("dsa", 1024)).toBe("dsa-1024");
    expect(tlsKeyKind("rsa-pss", 3072)).toBe("rsa-pss-3072");
    expect(tlsKeyKind(null, null)).toBe("unknown");
  });

  it("names SSH keys the same way", () => {
    expect(sshKeyKind("ssh-rsa", 3072)).toBe("rsa-3072");
    expect(sshKeyKind("ecdsa-sha2-nistp384", 384)).toBe("ecdsa-p384");
    expect(sshKeyKind("ssh-ed25519", 256)).toBe("ed25519");
    expect(sshKeyKind("ssh-dss", 1024)).toBe("dsa-1024");
    expect(sshKeyKind("sk-ssh-ed25519@openssh.com", null)).toBe("sk-ssh-ed25519@openssh.com");
  });
});
