<?xml version="1.0" encoding="utf-8"?>
<!-- Shows an archive's Atom or RSS feed as a readable page when it is opened in a browser
     (feed readers ignore this stylesheet). Chinese first: the feeds are the archive's own. -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
  xmlns:atom="http://www.w3.org/2005/Atom" exclude-result-prefixes="atom">
  <xsl:output method="html" encoding="utf-8" doctype-system="about:legacy-compat"/>
  <xsl:template match="/">
    <html lang="zh-hans">
      <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title><xsl:value-of select="rss/channel/title | atom:feed/atom:title"/> · 订阅源</title>
        <link rel="stylesheet" href="/static/portal/portal.css"/>
      </head>
      <body>
        <header class="site"><a class="brand" href="/">Archivox</a></header>
        <main id="main">
          <h1><xsl:value-of select="rss/channel/title | atom:feed/atom:title"/></h1>
          <p class="notice">这是本馆文章的订阅源（Atom/RSS）。把本页地址复制到订阅阅读器中，即可收到本馆的新文章。</p>
          <ul class="cards">
            <xsl:for-each select="rss/channel/item">
              <li><a href="{link}"><strong><xsl:value-of select="title"/></strong>
                <span class="level"><xsl:value-of select="pubDate"/></span></a></li>
            </xsl:for-each>
            <xsl:for-each select="atom:feed/atom:entry">
              <li><a href="{atom:link/@href}"><strong><xsl:value-of select="atom:title"/></strong>
                <span class="level"><xsl:value-of select="substring(atom:published | atom:updated, 1, 10)"/></span>
                <xsl:if test="atom:summary"><span class="summary"><xsl:value-of select="atom:summary"/></span></xsl:if></a></li>
            </xsl:for-each>
          </ul>
          <p><a class="tap" href="{rss/channel/link | atom:feed/atom:link[@rel='alternate']/@href}">到网站阅读全部文章</a></p>
        </main>
      </body>
    </html>
  </xsl:template>
</xsl:stylesheet>
