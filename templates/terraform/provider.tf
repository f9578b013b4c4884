# The bpg/proxmox provider reads its settings from the environment, the same variables
# proxmox-mpc uses: PROXMOX_VE_ENDPOINT, PROXMOX_VE_API_TOKEN (user@realm!tokenid=secret)
# and PROXMOX_VE_INSECURE. No secret and no endpoint is written in any file.
terraform {
  required_version = ">= 1.5.0"

  required_providers {
    proxmox = {
      source  = "bpg/proxmox"
      version = "{{PROVIDER_VERSION}}"
    }
  }
}

provider "proxmox" {}
