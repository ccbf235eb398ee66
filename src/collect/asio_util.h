// Address helpers shared by the syslog and RELP listeners (Boost.Asio: include from .cpp only).
#pragma once

#include <boost/asio.hpp>
#include <string>
#include <utility>

#include "config/config.h"
#include "core/result.h"

namespace vigil::collect::net {

// "10.0.0.5" for IPv4 senders, also when they reach an IPv6 socket as ::ffff:10.0.0.5.
inline std::string addressText(const boost::asio::ip::address& a) {
  if (a.is_v6() && a.to_v6().is_v4_mapped())
    return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, a.to_v6()).to_string();
  return a.to_string();
}

// "127.0.0.1:5514", "[::1]:5514".
inline std::string endpointText(const boost::asio::ip::address& a, uint16_t port) {
  return (a.is_v6() ? "[" + a.to_string() + "]" : a.to_string()) + ":" + std::to_string(port);
}

// Resolves "host:port" of the collect.* key `key` to one address (a name such as localhost
// resolves to its first address).
inline Result<std::pair<boost::asio::ip::address, uint16_t>> resolve(boost::asio::io_context& ioc,
                                                                     const std::string& hostPort,
                                                                     const std::string& key) {
  auto hp = splitHostPort(hostPort, key);
  if (!hp.ok()) return hp.error();
  boost::system::error_code ec;
  auto address = boost::asio::ip::make_address(hp->first, ec);
  if (!ec) return std::make_pair(address, hp->second);
  boost::asio::ip::tcp::resolver resolver(ioc);
  auto found = resolver.resolve(hp->first, "", ec);
  if (ec || found.empty())
    return Error::validation(key, "cannot resolve host '" + hp->first + "': " + (ec ? ec.message() : "no address"));
  return std::make_pair(found.begin()->endpoint().address(), hp->second);
}

}  // namespace vigil::collect::net
