package kimberlite

// ServerInfo over the C ABI's kmb_server_info.

/*
#include "kimberlite.h"
*/
import "C"

import "context"

// ServerInfo is what the server says about itself.
type ServerInfo struct {
	// ServerVersion is the server software's version.
	ServerVersion string
	// ProtocolVersion is the wire protocol version (5).
	ProtocolVersion uint16
	// SigningKey is the checkpoint signer's verifier key (name+keyid+base64).
	SigningKey string
	// Capabilities are the extensions the server supports.
	Capabilities []string
}

// ServerInfo asks the server to describe itself.
func (c *Client) ServerInfo(ctx context.Context) (ServerInfo, error) {
	var handle *C.kmb_server_info
	err := c.call(ctx, func(h *C.kmb_client, cancel *C.kmb_cancel, e **C.kmb_error) uint32 {
		return C.kmb_client_server_info(h, cancel, &handle, e)
	})
	if err != nil {
		return ServerInfo{}, err
	}
	defer C.kmb_server_info_free(handle)
	info := ServerInfo{
		ServerVersion:   C.GoString(C.kmb_server_info_server_version(handle)),
		ProtocolVersion: uint16(C.kmb_server_info_protocol_version(handle)),
		SigningKey:      C.GoString(C.kmb_server_info_signing_key(handle)),
	}
	for i := 0; i < int(C.kmb_server_info_capability_count(handle)); i++ {
		info.Capabilities = append(info.Capabilities, C.GoString(C.kmb_server_info_capability(handle, C.size_t(i))))
	}
	return info, nil
}
